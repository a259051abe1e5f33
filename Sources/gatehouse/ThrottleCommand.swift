import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse throttle set|list`: the stage and account token buckets.
struct Throttle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set and list throttles (rate and burst token buckets); a running worker applies changes within a second.",
        subcommands: [Set.self, List.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a stage default, a per-method or the account throttle.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id (not with --account).") var api: String?
        @Option(help: "The stage (not with --account).") var stage: String?
        @Option(help: "One method, as 'VERB /resource/path' (e.g. 'GET /pets'); omit for the stage default.") var method: String?
        @Flag(help: "Set the account-level limit instead.") var account = false
        @Option(parsing: .unconditional, help: "Steady rate, requests per second.") var rate: Double?
        @Option(parsing: .unconditional, help: "Burst: the bucket size.") var burst: Int?
        @Flag(help: "Remove the setting instead.") var clear = false

        func validate() throws {
            if account {
                if api != nil || stage != nil || method != nil { throw ValidationError("--account takes no --api, --stage or --method") }
            } else if api == nil || stage == nil {
                throw ValidationError("--api and --stage are required (or --account)")
            }
            if !clear {
                guard let rate else { throw ValidationError("--rate is required (or --clear)") }
                guard let burst else { throw ValidationError("--burst is required (or --clear)") }
                if !rate.isFinite { throw ValidationError("--rate must be a finite number of requests per second, got \(rate)") }
                if rate < 0 { throw ValidationError("--rate must be zero or more, got \(format(rate))") }
                if burst < 0 { throw ValidationError("--burst must be zero or more, got \(burst)") }
            }
        }

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readWrite)
                let limit = clear ? nil : rate.flatMap { r in burst.map { ThrottleLimit(rate: r, burst: $0) } }
                let actor = Actor.current(source: "cli")
                if account {
                    guard let limit else { throw ValidationError("the account limit cannot be cleared; set it instead") }
                    try store.setAccountThrottle(limit, actor: actor)
                    print("account: \(limit)")
                    return
                }
                guard let api, let stage else { return }
                let key = try methodKey(method)
                try store.setStageThrottle(apiId: api, stageName: stage, methodKey: key, limit: limit, actor: actor)
                print("\(api)/\(stage) \(Stage.methodLabel(settingsKey: key)): \(limit?.description ?? "cleared")")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every throttle in force, with where it comes from.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Only this API.") var api: String?

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readOnly)
                let account = try store.account()
                print(pad("SCOPE", 14) + pad("API", 12) + pad("STAGE", 12) + pad("METHOD", 28) + pad("RATE", 10) + "BURST")
                print(pad("account", 14) + pad("-", 12) + pad("-", 12) + pad("*", 28) + pad(format(account.throttle.rate), 10) + "\(account.throttle.burst)")
                for stage in try store.stages(apiId: api) {
                    for key in stage.methodSettings.keys.sorted() {
                        guard let limit = stage.methodSettings[key]?.throttle else { continue }
                        let scope = key == Stage.defaultSettingsKey ? "stage" : "stage-method"
                        print(pad(scope, 14) + pad(stage.restApiId, 12) + pad(stage.stageName, 12) + pad(Stage.methodLabel(settingsKey: key), 28)
                              + pad(format(limit.rate), 10) + "\(limit.burst)")
                    }
                }
            }
        }
    }
}

/// `'GET /pets'` → `/pets/GET`; `nil` → `*/*`.
func methodKey(_ method: String?) throws -> String {
    guard let method else { return Stage.defaultSettingsKey }
    let parts = method.split(separator: " ", omittingEmptySubsequences: true)
    guard parts.count == 2, Method.verbs.contains(parts[0].uppercased()), parts[1].hasPrefix("/") else {
        throw ValidationError("--method takes 'VERB /resource/path' such as 'GET /pets/{petId}', got '\(method)'")
    }
    return Stage.methodSettingsKey(resourcePath: String(parts[1]), httpMethod: String(parts[0]))
}

/// `--method 'VERB /path'` as its resource path and verb.
func methodPathAndVerb(_ method: String) throws -> (path: String, verb: String) {
    let key = try methodKey(method)
    guard let slash = key.lastIndex(of: "/") else { throw ValidationError("--method takes 'VERB /resource/path', got '\(method)'") }
    return (String(key[..<slash]).isEmpty ? "/" : String(key[..<slash]), String(key[key.index(after: slash)...]))
}

func format(_ rate: Double) -> String {
    rate == rate.rounded() ? String(Int(rate)) : String(rate)
}
