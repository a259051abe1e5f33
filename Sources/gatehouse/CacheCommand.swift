import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse cache set|method|flush|show`: the stage cache (AWS's cache cluster, here each worker's memory).
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "The stage cache: size, per-method caching and TTL, flush. A running worker applies changes within a second.",
        discussion: "With the cache on, GET methods are cached for 300 s unless set otherwise; answers are keyed by method, path and the integration's cacheKeyParameters.",
        subcommands: [Set.self, Method.self, Flush.self, Show.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Turn a stage's cache on (with its size) or off.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The stage.") var stage: String
        @Option(help: "Memory for the cache in each worker, in MB.") var sizeMb: Double?
        @Option(help: "Default TTL of the stage's cached methods, 0–3600 s (300 if never set).") var ttl: Int?
        @Flag(inversion: .prefixedNo, help: "Whether a caller's Cache-Control: max-age=0 needs an authorized caller (an accepted API key).")
        var requireAuthorization: Bool?
        @Flag(help: "Turn the cache off.") var disable = false

        func validate() throws {
            if disable == (sizeMb != nil) { throw ValidationError("give --size-mb N to turn the cache on, or --disable to turn it off") }
        }

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readWrite)
                try store.setStageCache(apiId: api, stageName: stage, sizeMb: disable ? nil : sizeMb, ttl: ttl,
                                        requireAuthorization: requireAuthorization, actor: Actor.current(source: "cli"))
                print("\(api)/\(stage): " + (disable ? "cache off" : "cache \(format(sizeMb ?? 0)) MB"))
            }
        }
    }

    struct Method: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cache one method or not, and its TTL.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The stage.") var stage: String
        @Option(help: "The method, as 'VERB /resource/path' (e.g. 'GET /pets').") var method: String
        @Option(help: "TTL, 0–3600 s (0: not cached).") var ttl: Int?
        @Flag(help: "Cache this method (needed for verbs other than GET).") var enable = false
        @Flag(help: "Do not cache this method.") var disable = false

        func validate() throws {
            if enable && disable { throw ValidationError("--enable or --disable, not both") }
            if !enable && !disable && ttl == nil { throw ValidationError("nothing to change: give --ttl, --enable or --disable") }
        }

        func run() async throws {
            try await reportingErrors {
                let key = try methodKey(method)
                try storeOptions.open(.readWrite).setMethodCache(apiId: api, stageName: stage, methodKey: key, enabled: enable ? true : (disable ? false : nil),
                                                                 ttl: ttl, actor: Actor.current(source: "cli"))
                print("\(api)/\(stage) \(Stage.methodLabel(settingsKey: key)): " + (disable ? "not cached" : "cached") + (ttl.map { ", ttl \($0) s" } ?? ""))
            }
        }
    }

    struct Flush: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Empty a stage's cache in every worker.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The stage.") var stage: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).flushStageCache(apiId: api, stageName: stage, actor: Actor.current(source: "cli"))
                print("\(api)/\(stage): cache flushed")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a stage's cache settings and each method's caching.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The stage.") var stage: String

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readOnly)
                guard let served = try store.stage(apiId: api, stageName: stage) else {
                    throw ValidationError("no stage \(stage) of API \(api): `gatehouse stages --api \(api)` lists them")
                }
                guard let cache = served.cache, cache.enabled else {
                    print("\(api)/\(stage): cache off")
                    return
                }
                let all = served.methodSettings[Stage.defaultSettingsKey]
                print("\(api)/\(stage): cache \(format(cache.sizeMb)) MB per worker, flushed \(cache.flushGeneration) times, invalidation by callers "
                      + (all?.requireAuthorizationForCacheControl == true ? "needs an accepted API key" : "open to any caller"))
                let definition = try store.deployments(apiId: api).first { $0.id == served.deploymentId }?.snapshot
                for resource in definition?.resources ?? [] {
                    for verb in resource.resourceMethods.keys.sorted() {
                        guard let method = resource.resourceMethods[verb] else { continue }
                        let policy = CachePolicy.resolve(stage: served, resourcePath: resource.path, method: method)
                        print("  \(verb) \(resource.path): " + (policy.map { "cached \($0.ttlSeconds) s"
                            + ($0.keyParameters.isEmpty ? "" : ", keyed by \($0.keyParameters.joined(separator: ", "))") } ?? "not cached"))
                    }
                }
            }
        }
    }
}
