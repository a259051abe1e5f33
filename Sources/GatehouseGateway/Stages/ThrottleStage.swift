/// Takes a token from each bucket that covers the method (most specific first, the account last); an
/// empty one is 429. The buckets were looked up when the configuration was compiled.
struct ThrottleStage: GatewayStage {
    let buckets: [SharedTokenBucket]

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        if ThrottleRegistry.acquire(buckets) != nil {
            context.throttled = true
            return .response(context.fail(.throttled))
        }
        return next(request, context)
    }
}
