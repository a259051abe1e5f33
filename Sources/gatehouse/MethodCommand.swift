import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse method set`: a method's own settings (AWS `UpdateMethod`); like an import, a change reaches callers
/// with the next `deploy`.
struct MethodCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "method",
        abstract: "Change a method of an API (served after the next deploy).",
        subcommands: [Set.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Require an API key for a method, or stop requiring one.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The method, as 'VERB /resource/path' (e.g. 'GET /pets').") var method: String
        @Option(help: "true: callers need an API key on a usage plan for the stage; false: no key.") var apiKeyRequired: Bool

        func run() async throws {
            try await reportingErrors {
                let key = try methodKey(method)
                guard let slash = key.lastIndex(of: "/") else { return }
                let path = String(key[..<slash]), verb = String(key[key.index(after: slash)...])
                try storeOptions.open(.readWrite).setMethodApiKeyRequired(apiId: api, resourcePath: path.isEmpty ? "/" : path, verb: verb,
                                                                          required: apiKeyRequired, actor: Actor.current(source: "cli"))
                print("\(api) \(Stage.methodLabel(settingsKey: key)): API key \(apiKeyRequired ? "required" : "not required") (deploy to serve it)")
            }
        }
    }
}

/// `gatehouse api set`: an API's own settings (AWS `UpdateRestApi`).
struct ApiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Change an API's settings (served after the next deploy).",
        subcommands: [Set.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set where the API's methods read their API key.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "HEADER (x-api-key) or AUTHORIZER (from a custom authorizer; refused at deploy until authorizers exist).")
        var keySource: String

        func validate() throws {
            if ApiKeySource(rawValue: keySource.uppercased()) == nil { throw ValidationError("--key-source is HEADER or AUTHORIZER, got '\(keySource)'") }
        }

        func run() async throws {
            try await reportingErrors {
                guard let source = ApiKeySource(rawValue: keySource.uppercased()) else { return }
                try storeOptions.open(.readWrite).setApiKeySource(apiId: api, source: source, actor: Actor.current(source: "cli"))
                print("\(api): API keys from \(source.rawValue) (deploy to serve it)")
            }
        }
    }
}
