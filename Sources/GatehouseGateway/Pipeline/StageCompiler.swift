import GatehouseCore

/// Turns a deployed method into its chain of stages, once per configuration version: throttle buckets
/// looked up, the integration prepared (stage variables substituted, URL parsed, responses selected for
/// every status). Protection the worker cannot enforce yields a chain that refuses every call (fail closed).
public struct StageCompiler: Sendable {
    let throttles: ThrottleRegistry
    let upstream: UpstreamPools?
    let metrics: GatewayMetrics?

    public init(throttles: ThrottleRegistry = ThrottleRegistry(), upstream: UpstreamPools? = nil, metrics: GatewayMetrics? = nil) {
        self.throttles = throttles
        self.upstream = upstream
        self.metrics = metrics
    }

    func compile(method: Method, resource: Resource, binding: GatewayConfiguration.StageBinding, account: Account) -> CompiledMethod {
        let stage = binding.stage
        let key = Stage.methodSettingsKey(resourcePath: resource.path, httpMethod: method.httpMethod)
        let setting = stage.methodSettings[key], defaults = stage.methodSettings[Stage.defaultSettingsKey]
        let level = setting?.loggingLevel ?? defaults?.loggingLevel ?? .off
        let trace = level == .info && (setting?.dataTraceEnabled ?? defaults?.dataTraceEnabled ?? false)
        let series = method.httpMethod == "ANY" ? nil : metrics?.series(for: .init(api: stage.restApiId, stage: stage.stageName,
                                                                                     resource: resource.path, method: method.httpMethod))
        return CompiledMethod(chain: chain(method: method, resource: resource, stage: stage, account: account),
                              executionLogging: level, tracesBodies: trace, series: series)
    }

    private func chain(method: Method, resource: Resource, stage: Stage, account: Account) -> [any GatewayStage] {
        // Fail closed: nothing here enforces authorizers or API keys yet, so such a method is never served open.
        if method.authorizationType.uppercased() != "NONE" {
            return [RefuseStage(detail: "authorization type \(method.authorizationType) is not enforced by this worker; the method is refused, not served open")]
        }
        if method.apiKeyRequired {
            return [RefuseStage(detail: "the method requires an API key, which this worker does not check yet; the method is refused, not served open")]
        }
        var chain: [any GatewayStage] = []
        let applied = ThrottleResolver.resolve(apiId: stage.restApiId, stage: stage, resourcePath: resource.path,
                                               methodVerb: method.httpMethod, account: account)
        chain.append(ThrottleStage(buckets: throttles.buckets(for: applied), scopes: applied.map(\.scope)))
        chain.append(integrationStage(method.methodIntegration, stage: stage))
        return chain
    }

    private func integrationStage(_ integration: Integration?, stage: Stage) -> any GatewayStage {
        guard let integration else { return RefuseStage(detail: "the method has no integration") }
        switch integration.type {
        case .mock:
            return MockStage(mock: CompiledMock(integration))
        case .http, .httpProxy:
            guard let upstream else { return RefuseStage(detail: "no upstream client") }
            do {
                return try ProxyStage(integration: integration, stage: stage, pools: upstream)
            } catch {
                return RefuseStage(detail: error.description)
            }
        case .aws, .awsProxy:
            return RefuseStage(detail: "\(integration.type.rawValue) integrations need AWS, which does not run here")
        }
    }
}
