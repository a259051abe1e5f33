import GatehouseCore

/// Takes a token from each bucket that covers the method (most specific first, the account last); an
/// empty one is 429. The buckets were looked up when the configuration was compiled.
struct ThrottleStage: GatewayStage {
    let buckets: [SharedTokenBucket]
    /// Which limit each bucket is (the account's last): a refusal is counted against the limit that made it.
    let scopes: [ThrottleScope]

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        if let refused = ThrottleRegistry.acquire(buckets) {
            context.throttled = true
            context.throttledByAccount = scopes.indices.contains(refused) && scopes[refused] == .account
            return .response(context.fail(.throttled))
        }
        return next(request, context)
    }
}
