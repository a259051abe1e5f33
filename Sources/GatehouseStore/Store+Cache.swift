import Foundation
import GatehouseCore
import GRDB

/// The stage cache's settings: on or off with a size, per-method caching and TTL, and flushes (a generation
/// the workers compare), each audited.
extension Store {
    /// Turns a stage's cache on (with `sizeMb`) or, with nil, off; `ttl` and `requireAuthorization` go to the
    /// stage's `*/*` settings when given.
    public func setStageCache(apiId: String, stageName: String, sizeMb: Double?, ttl: Int? = nil, requireAuthorization: Bool? = nil,
                              actor: Actor) throws {
        if let sizeMb, !StageCacheSettings.sizeRange.contains(sizeMb) {
            throw StoreError.invalid("a cache size is \(Int(StageCacheSettings.sizeRange.lowerBound)) to \(Int(StageCacheSettings.sizeRange.upperBound)) MB, got \(sizeMb)")
        }
        if let ttl { try Self.validate(ttl: ttl) }
        try write { db in
            var stage = try Self.existingStage(db, apiId: apiId, stageName: stageName)
            let before = Self.describeCache(stage)
            if let sizeMb {
                stage.cache = StageCacheSettings(enabled: true, sizeMb: sizeMb, flushGeneration: stage.cache?.flushGeneration ?? 0)
            } else {
                stage.cache?.enabled = false
            }
            var all = stage.methodSettings[Stage.defaultSettingsKey] ?? MethodSetting()
            if let ttl { all.cacheTtlInSeconds = ttl }
            if let requireAuthorization { all.requireAuthorizationForCacheControl = requireAuthorization }
            stage.methodSettings[Stage.defaultSettingsKey] = all
            stage.lastUpdatedDate = Date()
            try Self.saveStage(db, stage)
            try Self.audit(db, actor: actor, action: "UpdateStage(cache)", target: "restapis/\(apiId)/stages/\(stageName)",
                           before: before, after: Self.describeCache(stage))
        }
    }

    /// One method's caching: on or off (nil leaves it), and its TTL (nil leaves it).
    public func setMethodCache(apiId: String, stageName: String, methodKey: String, enabled: Bool?, ttl: Int?, actor: Actor) throws {
        if let ttl { try Self.validate(ttl: ttl) }
        try write { db in
            var stage = try Self.existingStage(db, apiId: apiId, stageName: stageName)
            try Self.requireServedMethod(db, stage: stage, methodKey: methodKey)
            var setting = stage.methodSettings[methodKey] ?? MethodSetting()
            let before = "caching \(setting.cachingEnabled.map(String.init) ?? "default"), ttl \(setting.cacheTtlInSeconds.map(String.init) ?? "default")"
            if let enabled { setting.cachingEnabled = enabled }
            if let ttl { setting.cacheTtlInSeconds = ttl }
            stage.methodSettings[methodKey] = setting
            stage.lastUpdatedDate = Date()
            try Self.saveStage(db, stage)
            try Self.audit(db, actor: actor, action: "UpdateStage(method cache)",
                           target: "restapis/\(apiId)/stages/\(stageName)/\(Stage.methodLabel(settingsKey: methodKey))", before: before,
                           after: "caching \(setting.cachingEnabled.map(String.init) ?? "default"), ttl \(setting.cacheTtlInSeconds.map(String.init) ?? "default")")
        }
    }

    /// Empties the stage's cache in every worker (within a second).
    public func flushStageCache(apiId: String, stageName: String, actor: Actor) throws {
        try write { db in
            var stage = try Self.existingStage(db, apiId: apiId, stageName: stageName)
            guard var cache = stage.cache, cache.enabled else {
                throw StoreError.invalid("stage \(apiId)/\(stageName) has no cache to flush; turn one on with `gatehouse cache set --api \(apiId) --stage \(stageName) --size-mb N`")
            }
            cache.flushGeneration += 1
            stage.cache = cache
            try Self.saveStage(db, stage)
            try Self.audit(db, actor: actor, action: "FlushStageCache", target: "restapis/\(apiId)/stages/\(stageName)",
                           before: nil, after: "flush \(cache.flushGeneration)")
        }
    }

    static func validate(ttl: Int) throws {
        guard CachePolicy.ttlRange.contains(ttl) else { throw StoreError.invalid("a cache TTL is 0 to 3600 seconds, got \(ttl)") }
    }

    static func describeCache(_ stage: Stage) -> String {
        guard let cache = stage.cache, cache.enabled else { return "cache off" }
        let all = stage.methodSettings[Stage.defaultSettingsKey]
        return "cache \(cache.sizeMb) MB, ttl \(all?.cacheTtlInSeconds ?? CachePolicy.defaultTtl) s"
            + (all?.requireAuthorizationForCacheControl == true ? ", invalidation needs authorization" : "")
    }
}
