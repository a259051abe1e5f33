/// A stage's cache (AWS: `cacheClusterEnabled`, `cacheClusterSize`): here an in-memory LRU in each worker,
/// of `sizeMb`. `flushGeneration` goes up with every `cache flush`, which is how a flush reaches the workers.
public struct StageCacheSettings: Codable, Sendable, Equatable {
    public var enabled: Bool
    public var sizeMb: Double
    public var flushGeneration: Int

    public init(enabled: Bool, sizeMb: Double, flushGeneration: Int = 0) {
        self.enabled = enabled
        self.sizeMb = sizeMb
        self.flushGeneration = flushGeneration
    }

    /// AWS's cache sizes run from 0.5 GB to 237 GB; a self-hosted worker's memory is smaller.
    public static let sizeRange: ClosedRange<Double> = 1...65_536
}

/// How one method of a stage uses the stage cache: resolved from the stage's settings (method, then `*/*`),
/// the AWS defaults (GET cached for 300 s once the stage cache is on) and the integration's cache keys.
public struct CachePolicy: Sendable, Equatable {
    public var ttlSeconds: Int
    public var keyParameters: [String]
    public var requireAuthorizationForCacheControl: Bool

    public static let defaultTtl = 300
    public static let ttlRange = 0...3600
    /// The largest answer kept (AWS: 1 MB).
    public static let maxEntryBytes = 1_048_576

    /// The policy for a method, or nil when its answers are not cached.
    public static func resolve(stage: Stage, resourcePath: String, method: Method) -> CachePolicy? {
        guard let cache = stage.cache, cache.enabled else { return nil }
        let own = stage.methodSettings[Stage.methodSettingsKey(resourcePath: resourcePath, httpMethod: method.httpMethod)]
        let all = stage.methodSettings[Stage.defaultSettingsKey]
        let enabled = own?.cachingEnabled ?? all?.cachingEnabled.map { $0 && method.httpMethod == "GET" } ?? (method.httpMethod == "GET")
        let ttl = own?.cacheTtlInSeconds ?? all?.cacheTtlInSeconds ?? defaultTtl
        guard enabled, ttl > 0 else { return nil }
        return CachePolicy(ttlSeconds: min(ttl, ttlRange.upperBound), keyParameters: method.methodIntegration?.cacheKeyParameters ?? [],
                           requireAuthorizationForCacheControl: own?.requireAuthorizationForCacheControl ?? all?.requireAuthorizationForCacheControl ?? false)
    }

    /// Whether `name` can key a cache: `method.request.{path|querystring|header}.NAME`.
    public static func isCacheKeyParameter(_ name: String) -> Bool {
        ["method.request.path.", "method.request.querystring.", "method.request.header."].contains { name.hasPrefix($0) && name.count > $0.count }
    }
}
