/// The rest of the pipeline, as a middleware sees it.
public typealias GatewayNext = @Sendable (GatewayRequest, inout RequestContext) async -> GatewayResponse

/// One stage of the request pipeline: answers the request itself (403, 429, a mock) or calls `next`.
public protocol GatewayMiddleware: Sendable {
    func handle(_ request: GatewayRequest, context: inout RequestContext, next: GatewayNext) async -> GatewayResponse
}

/// Middlewares chained in order; the last `next` answers a configuration error (nothing integrated).
public struct GatewayPipeline: Sendable {
    let middlewares: [any GatewayMiddleware]

    public init(_ middlewares: [any GatewayMiddleware]) {
        self.middlewares = middlewares
    }

    public func respond(to request: GatewayRequest, context: inout RequestContext) async -> GatewayResponse {
        await Self.run(middlewares[...], request, &context)
    }

    private static func run(_ rest: ArraySlice<any GatewayMiddleware>, _ request: GatewayRequest,
                            _ context: inout RequestContext) async -> GatewayResponse {
        guard let first = rest.first else {
            context.errorType = "API_CONFIGURATION_ERROR"
            return .gateway(.apiConfigurationError)
        }
        let remaining = rest.dropFirst()
        return await first.handle(request, context: &context) { request, context in
            await run(remaining, request, &context)
        }
    }
}
