import GatehouseCore

/// Applies the token buckets that cover the matched method, most specific first; an empty one is 429.
public struct ThrottleMiddleware: GatewayMiddleware {
    let registry: ThrottleRegistry

    public init(registry: ThrottleRegistry) {
        self.registry = registry
    }

    public func handle(_ request: GatewayRequest, context: inout RequestContext, next: GatewayNext) async -> GatewayResponse {
        guard let stage = context.stage, let match = context.match else { return await next(request, &context) }
        let throttles = ThrottleResolver.resolve(apiId: stage.binding.stage.restApiId, stage: stage.binding.stage,
                                                 resourcePath: match.resource.path, methodVerb: match.method.httpMethod,
                                                 account: context.table.configuration.account)
        if registry.acquire(throttles) != nil {
            context.throttled = true
            context.errorType = GatewayResponseType.throttled.rawValue
            return .gateway(.throttled)
        }
        return await next(request, &context)
    }
}
