import Foundation
import GatehouseCore

/// Turns a deployed method into its chain of stages, once per configuration version: throttle buckets
/// looked up, the integration prepared (stage variables substituted, URL parsed, responses selected for
/// every status). Protection the worker cannot enforce yields a chain that refuses every call (fail closed).
public struct StageCompiler: Sendable {
    let throttles: ThrottleRegistry
    let meters: UsageMeters
    let caches: StageCaches
    let upstream: UpstreamPools?
    let metrics: GatewayMetrics?
    let clock: @Sendable () -> Date
    let identity: SigningIdentity
    let jwks: JwksCache?
    let customAuthorizers: CustomAuthorizers?

    public init(throttles: ThrottleRegistry = ThrottleRegistry(), meters: UsageMeters = UsageMeters(), caches: StageCaches = StageCaches(),
                upstream: UpstreamPools? = nil, metrics: GatewayMetrics? = nil, identity: SigningIdentity = SigningIdentity(),
                jwks: JwksCache? = nil, customAuthorizers: CustomAuthorizers? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.customAuthorizers = customAuthorizers
        self.identity = identity
        self.jwks = jwks
        self.throttles = throttles
        self.meters = meters
        self.caches = caches
        self.upstream = upstream
        self.metrics = metrics
        self.clock = clock
    }

    /// After a new configuration is compiled: the meters and caches it no longer uses are let go.
    func prune(after configuration: GatewayConfiguration) {
        meters.prune(keeping: Set(configuration.planKeys.flatMap { plan, keys in keys.map { plan + "/" + $0 } }))
        caches.prune(keeping: Set(configuration.stages.compactMap { binding in
            binding.stage.cache?.enabled == true ? binding.stage.restApiId + "/" + binding.stage.stageName : nil
        }))
    }

    /// The keys a stage admits, built once per configuration for all its methods.
    func keys(for binding: GatewayConfiguration.StageBinding, configuration: GatewayConfiguration) -> StageKeys {
        StageKeys(stage: binding.stage, configuration: configuration, throttles: throttles, meters: meters)
    }

    /// The SigV4 stage of a configuration, shared by all its AWS_IAM methods.
    func signatures(for configuration: GatewayConfiguration, binding: GatewayConfiguration.StageBinding) -> SigV4Stage {
        SigV4Stage(credentials: configuration.credentials, problem: configuration.credentialsProblem, identity: identity,
                   policy: policy(of: binding.definition), clock: clock)
    }

    /// The client certificate a stage presents to HTTPS backends, looked up once per stage.
    func clientCertificate(for binding: GatewayConfiguration.StageBinding, configuration: GatewayConfiguration) -> StageClientCertificate {
        guard let id = binding.stage.clientCertificateId else { return .none }
        if let served = configuration.clientCertificates[id] { return .present(served) }
        return .unavailable(configuration.clientCertificatesProblem ?? "client certificate \(id) does not exist")
    }

    /// The API's resource policy with its resources resolved to this gateway's ARNs (nil: none, or unusable).
    func policy(of definition: ApiDefinition) -> ResourcePolicy? {
        definition.restApi.policy.flatMap {
            try? ResourcePolicy.parse($0, apiId: definition.restApi.id, region: identity.region, account: identity.account)
        }
    }

    func compile(method: Method, resource: Resource, binding: GatewayConfiguration.StageBinding, account: Account,
                 keys: @autoclosure () -> StageKeys, signatures: @autoclosure () -> SigV4Stage,
                 clientCertificate: @autoclosure () -> StageClientCertificate = .none,
                 schemas: @autoclosure () -> JSONSchemaValidator? = nil) -> CompiledMethod {
        let stage = binding.stage
        let key = Stage.methodSettingsKey(resourcePath: resource.path, httpMethod: method.httpMethod)
        let setting = stage.methodSettings[key], defaults = stage.methodSettings[Stage.defaultSettingsKey]
        let level = setting?.loggingLevel ?? defaults?.loggingLevel ?? .off
        let trace = level == .info && (setting?.dataTraceEnabled ?? defaults?.dataTraceEnabled ?? false)
        let series = method.httpMethod == "ANY" ? nil : metrics?.series(for: .init(api: stage.restApiId, stage: stage.stageName,
                                                                                     resource: resource.path, method: method.httpMethod))
        return CompiledMethod(chain: chain(method: method, resource: resource, binding: binding, account: account, keys: keys,
                                           signatures: signatures, clientCertificate: clientCertificate, schemas: schemas),
                              executionLogging: level, tracesBodies: trace, series: series)
    }

    private func chain(method: Method, resource: Resource, binding: GatewayConfiguration.StageBinding, account: Account,
                       keys: () -> StageKeys, signatures: () -> SigV4Stage,
                       clientCertificate: () -> StageClientCertificate, schemas: () -> JSONSchemaValidator?) -> [any GatewayStage] {
        let stage = binding.stage
        // Fail closed: a protection this worker cannot enforce refuses the method (deploy refuses it too; this
        // catches a store changed behind the CLI's back).
        if let problem = MethodProtection.problem(method: method, definition: binding.definition) {
            return [RefuseStage(detail: "the method is refused, not served open: \(problem)")]
        }
        var chain: [any GatewayStage] = []
        if binding.definition.restApi.policy != nil {
            guard let policy = policy(of: binding.definition) else {
                return [RefuseStage(detail: "the method is refused, not served open: the API's resource policy cannot be read")]
            }
            chain.append(ResourcePolicyStage(policy: policy, identity: identity, requiresAllow: method.authorizationType.uppercased() == "NONE"))
        }
        // Authorize first (before keys and throttles, as AWS): an unsigned call costs no one's quota.
        switch method.authorizationType.uppercased() {
        case "AWS_IAM":
            chain.append(signatures())
        case "JWT":
            guard let jwks, let authorizer = binding.definition.authorizer(id: method.authorizerId) else {
                return [RefuseStage(detail: "the method is refused, not served open: its JWT authorizer cannot be run (no key cache or no authorizer)")]
            }
            chain.append(JwtStage(authorizer: authorizer, scopes: method.authorizationScopes ?? [], keys: jwks, clock: clock))
        case "CUSTOM":
            guard let customAuthorizers, let authorizer = binding.definition.authorizer(id: method.authorizerId) else {
                return [RefuseStage(detail: "the method is refused, not served open: its custom authorizer cannot be run (no client or no authorizer)")]
            }
            chain.append(CustomAuthorizerStage(authorizer: authorizer, authorizers: customAuthorizers, identity: identity,
                                               scope: "\(stage.restApiId)/\(stage.stageName)#\(stage.authorizerCacheGeneration ?? 0)"))
        default:
            break
        }
        let applied = ThrottleResolver.resolve(apiId: stage.restApiId, stage: stage, resourcePath: resource.path,
                                               methodVerb: method.httpMethod, account: account)
        let buckets = throttles.buckets(for: applied)
        if method.apiKeyRequired {
            chain.append(ApiKeyStage(keys: keys(), fromAuthorizer: binding.definition.restApi.apiKeySource == .authorizer,
                                     methodKey: Stage.methodSettingsKey(resourcePath: resource.path, httpMethod: method.httpMethod),
                                     stageBuckets: buckets, stageScopes: applied.map(\.scope), clock: clock))
        } else {
            chain.append(ThrottleStage(buckets: buckets, scopes: applied.map(\.scope)))
        }
        if let validator = binding.definition.requestValidator(for: method) {
            let checksParameters = validator.validateRequestParameters && method.requestParameters.values.contains(true)
            let models = validator.validateRequestBody ? method.requestModels.flatMap { $0.isEmpty ? nil : $0 } : nil
            if checksParameters || models != nil {
                // After keys and throttles (as AWS, a refused call still counts), before the cache and the backend.
                chain.append(ValidationStage(required: checksParameters ? method.requestParameters : nil, bodyModels: models,
                                             schemas: models == nil ? nil : schemas() ?? JSONSchemaValidator(models: binding.definition.restApi.models ?? [:])))
            }
        }
        if let policy = CachePolicy.resolve(stage: stage, resourcePath: resource.path, method: method), let settings = stage.cache {
            chain.append(CacheStage(cache: caches.cache(for: stage, settings: settings), policy: policy))
        }
        chain.append(integrationStage(method.methodIntegration, stage: stage, api: binding.definition.restApi, clientCertificate: clientCertificate))
        return chain
    }

    private func integrationStage(_ integration: Integration?, stage: Stage, api: RestApi,
                                  clientCertificate: () -> StageClientCertificate) -> any GatewayStage {
        guard let integration else { return RefuseStage(detail: "the method has no integration") }
        switch integration.type {
        case .mock:
            guard CompiledMock.isTemplated(integration) else { return MockStage(mock: CompiledMock(integration)) }
            do {
                return TemplatedMockStage(mock: try TemplatedMock(integration))
            } catch {
                return RefuseStage(detail: "the method is refused: \(error)")
            }
        case .http, .httpProxy:
            guard let upstream else { return RefuseStage(detail: "no upstream client") }
            var tls = UpstreamTLSProfile(insecureSkipVerification: integration.insecureSkipVerification == true)
            switch clientCertificate() {
            case .none: break
            case .present(let served): tls.clientCertificate = served
            case .unavailable(let problem):
                // Fail closed: the backend expects the certificate; calling it without one is not what the stage says.
                return RefuseStage(detail: "the stage's client certificate cannot be presented: \(problem)")
            }
            do {
                return try ProxyStage(integration: integration, stage: stage, pools: upstream, tls: tls.isStandard ? nil : tls, api: api)
            } catch {
                return RefuseStage(detail: error.description)
            }
        case .aws, .awsProxy:
            return RefuseStage(detail: "\(integration.type.rawValue) integrations need AWS, which does not run here")
        }
    }
}

/// What a stage presents to its HTTPS backends.
enum StageClientCertificate {
    case none
    case present(GatewayConfiguration.ServedClientCertificate)
    /// Named by the stage but not served (deleted, or its key cannot be opened).
    case unavailable(String)
}
