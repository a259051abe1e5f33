/// One stage of a method's compiled chain (resource policy, authorizer, key, throttle, cache, integration):
/// it answers the request itself (a 403, a 429, a mock) or calls `next`. Stages run synchronously on the
/// connection's event loop; one that must wait (the integration) answers `.pending`.
public protocol GatewayStage: Sendable {
    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult
}

/// What a stage answers: a response now, or one delivered later on the same event loop.
public enum StageResult {
    case response(GatewayResponse)
    case pending(PendingResponse)
}

/// The rest of a chain, as a stage sees it. A value (no closure is allocated per call).
public struct GatewayNext {
    let stages: [any GatewayStage]
    let index: Int

    public init(stages: [any GatewayStage], index: Int = 0) {
        self.stages = stages
        self.index = index
    }

    /// Runs the next stage; past the last one the chain is misconfigured (nothing integrated).
    public func callAsFunction(_ request: GatewayRequest, _ context: RequestContext) -> StageResult {
        guard index < stages.count else {
            return .response(context.fail(.apiConfigurationError, detail: "the method's chain ends without an integration"))
        }
        return stages[index].handle(request, context: context, next: GatewayNext(stages: stages, index: index + 1))
    }
}
