import Foundation
import GatehouseCore
import GatehouseStore

/// A method that requires an API key: the caller's `x-api-key` must be an enabled key on a usage plan for
/// this stage (else 403 `Forbidden`); then the limits in AWS's order — the plan's per-key limit for this
/// method, the plan's per-key limit, the stage's method or default limit, the account — each a bucket, the
/// first empty one 429 `Too Many Requests`; then the plan's quota, 429 `Limit Exceeded` once spent.
/// Replaces `ThrottleStage` in such a method's chain.
struct ApiKeyStage: GatewayStage {
    let keys: StageKeys
    /// The API's key source is AUTHORIZER: the key is the one the custom authorizer named (`usageIdentifierKey`).
    let fromAuthorizer: Bool
    /// The method's settings key (`/pets/GET`), for the plan's per-method limits.
    let methodKey: String
    let stageBuckets: [SharedTokenBucket]
    let stageScopes: [ThrottleScope]
    let clock: @Sendable () -> Date

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        let presented = fromAuthorizer ? context.usageIdentifierKey : request.head.headers.first(name: "x-api-key")
        guard let value = presented, let grant = keys.grants[Store.keyHash(value)] else {
            return .response(context.fail(.invalidApiKey))
        }
        context.apiKeyId = grant.keyId
        var buckets: [SharedTokenBucket] = []
        var scopes: [ThrottleScope] = []
        if let bucket = grant.methodBuckets[methodKey] {
            buckets.append(bucket)
            scopes.append(.planMethod)
        }
        if let bucket = grant.keyBucket {
            buckets.append(bucket)
            scopes.append(.plan)
        }
        buckets += stageBuckets
        scopes += stageScopes
        if let refused = ThrottleRegistry.acquire(buckets) {
            context.throttled = true
            context.throttledByAccount = scopes[refused] == .account
            return .response(context.fail(.throttled))
        }
        guard grant.meter.admit(now: clock()) else {
            return .response(context.fail(.quotaExceeded))
        }
        return next(request, context)
    }
}
