import GatehouseCore

/// Finds the API, stage, resource and method for a request; no match is AWS's 403
/// `Missing Authentication Token`.
public struct RouteMiddleware: GatewayMiddleware {
    public init() {}

    public func handle(_ request: GatewayRequest, context: inout RequestContext, next: GatewayNext) async -> GatewayResponse {
        let host = request.head.headers.first(name: "host")
        guard let target = RoutingTable.target(host: host, path: request.path) else {
            context.errorType = GatewayResponseType.missingAuthenticationToken.rawValue
            return .gateway(.missingAuthenticationToken)
        }
        context.target = target
        context.stagePath = target.path
        guard let stage = context.table.stage(apiId: target.apiId, stageName: target.stageName),
              let match = stage.router.match(path: target.path, verb: request.head.method.rawValue) else {
            context.errorType = GatewayResponseType.missingAuthenticationToken.rawValue
            return .gateway(.missingAuthenticationToken)
        }
        context.stage = stage
        context.match = match
        return await next(request, &context)
    }
}
