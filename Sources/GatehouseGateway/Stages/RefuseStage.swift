/// Answers every call with API_CONFIGURATION_ERROR (500) and says why in the logs: a method whose
/// integration cannot run or whose protection cannot be enforced.
struct RefuseStage: GatewayStage {
    let detail: String

    func handle(_ request: GatewayRequest, context: RequestContext, next: GatewayNext) -> StageResult {
        .response(context.fail(.apiConfigurationError, detail: detail))
    }
}
