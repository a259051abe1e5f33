import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

extension ExecutionLoggingLevel: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

/// `gatehouse logging …`: a stage's access-log format and file, and its execution logging.
struct LoggingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logging",
        abstract: "Stage access-log settings ($context formats, to the store and a rotated file) and execution logging.",
        subcommands: [Set.self, Show.self, Tail.self, Execution.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a stage's access-log format and file, and/or its execution logging.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The stage.") var stage: String
        @Option(help: "clf, json, or a template of $context variables, e.g. '$context.requestId $context.status'.") var accessFormat: String?
        @Option(help: "Also append the lines to this file (JSON lines or CLF, as the format makes them).") var accessFile: String?
        @Option(help: "Rotate the file past this many bytes.") var maxBytes = 10 * 1024 * 1024
        @Option(help: "Rotated files to keep.") var keep = 5
        @Flag(help: "Turn the formatted access log off.") var accessOff = false
        @Option(help: "Execution logging: OFF, ERROR or INFO.") var level: ExecutionLoggingLevel?
        @Flag(inversion: .prefixedNo, help: "With INFO, log full requests and responses (Authorization, x-api-key and cookies redacted).")
        var dataTrace: Bool?

        func validate() throws {
            if accessOff && (accessFormat != nil || accessFile != nil) { throw ValidationError("--access-off takes no --access-format or --access-file") }
            if accessFile != nil && accessFormat == nil { throw ValidationError("--access-file needs --access-format (clf, json or a template)") }
            if let format = accessFormat, !AccessLogSettings.resolve(format).contains("$context.") {
                throw ValidationError("--access-format must be clf, json, or contain $context variables such as $context.requestId")
            }
            if maxBytes < 1024 { throw ValidationError("--max-bytes must be at least 1024, got \(maxBytes)") }
            if keep < 1 { throw ValidationError("--keep must be 1 or more, got \(keep)") }
            if accessFormat == nil && !accessOff && level == nil && dataTrace == nil {
                throw ValidationError("nothing to set: give --access-format, --access-off, --level or --data-trace")
            }
        }

        /// The worker appends to the file: it (or, if it does not exist yet, its folder) must be writable now.
        static func checkWritable(_ file: String) throws {
            let manager = FileManager.default
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: file, isDirectory: &isDirectory) {
                if isDirectory.boolValue { throw ValidationError("--access-file \(file) is a folder; give a file path") }
                if !manager.isWritableFile(atPath: file) { throw ValidationError("--access-file \(file) cannot be written by this user; nothing was changed") }
                return
            }
            let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
            if !manager.fileExists(atPath: folder, isDirectory: &isDirectory) || !isDirectory.boolValue {
                throw ValidationError("--access-file \(file): the folder \(folder) does not exist; nothing was changed")
            }
            if !manager.isWritableFile(atPath: folder) {
                throw ValidationError("--access-file \(file): the folder \(folder) cannot be written by this user; nothing was changed")
            }
        }

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readWrite)
                var access: AccessLogSettings?? = nil
                if accessOff { access = .some(nil) }
                if let format = accessFormat {
                    let file = accessFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
                    if let file { try Self.checkWritable(file) }
                    access = .some(AccessLogSettings(format: AccessLogSettings.resolve(format), file: file, maxBytes: maxBytes, keep: keep))
                }
                try store.setStageLogging(apiId: api, stageName: stage, accessLog: access, level: level, dataTrace: dataTrace,
                                          actor: .current(source: "cli"))
                if let updated = try store.stage(apiId: api, stageName: stage) { print(Store.loggingSummary(updated)) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a stage's logging settings.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The stage.") var stage: String

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readOnly)
                let value = try store.existingStage(apiId: api, stageName: stage)
                print(Store.loggingSummary(value))
                if let settings = value.accessLogSettings {
                    print("format: \(settings.format)")
                    if let file = settings.file { print("file:   \(file) (rotated past \(settings.maxBytes) bytes, \(settings.keep) kept)") }
                }
            }
        }
    }

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a stage's newest formatted access-log lines from the store.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The stage.") var stage: String
        @Option(help: "How many lines.") var limit = 20

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readOnly)
                _ = try store.existingStage(apiId: api, stageName: stage)
                for line in try store.formattedAccessLog(apiId: api, stage: stage, limit: limit) { print(line) }
            }
        }
    }

    struct Execution: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the execution log of one request (its x-amzn-RequestId).")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The request id.") var requestId: String

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readOnly)
                let lines = try store.executionLog(requestId: requestId)
                if lines.isEmpty { throw StoreError.notFound(what: "an execution log for \(requestId)", hint: "set --level ERROR or INFO with `gatehouse logging set`") }
                for line in lines { print("(\(requestId)) \(line)") }
            }
        }
    }
}
