import GatehouseCore

/// An immutable snapshot compiled from one `GatewayConfiguration`: API → stage → router, and for every
/// method the chain of stages it uses with their settings resolved. Requests keep the snapshot they
/// started with while a newer one is swapped in. A class, as its stages and methods are: every request holds
/// them, and holding a reference is one retain where copying the structs was one per string and array inside.
public final class RoutingTable: Sendable {
    /// A stage ready to route.
    public final class StageRoute: Sendable {
        public let binding: GatewayConfiguration.StageBinding
        public let router: Router
        /// Resource path → declared verb → compiled method.
        let methods: [String: [String: CompiledMethod]]
        /// The API's customized gateway responses; nil when it has none.
        let gatewayResponses: CompiledGatewayResponses?

        init(binding: GatewayConfiguration.StageBinding, router: Router, methods: [String: [String: CompiledMethod]],
             gatewayResponses: CompiledGatewayResponses?) {
            self.binding = binding
            self.router = router
            self.methods = methods
            self.gatewayResponses = gatewayResponses
        }

        func compiled(_ match: Router.Match) -> CompiledMethod? {
            methods[match.resourcePath]?[match.declaredVerb]
        }
    }

    public let configuration: GatewayConfiguration
    let stages: [String: [String: StageRoute]]
    /// Custom domains' base path mappings.
    public let domains: DomainRoutes

    /// Compiles every deployed method's chain with `compiler`.
    public init(configuration: GatewayConfiguration, compiler: StageCompiler = StageCompiler()) {
        self.configuration = configuration
        var stages: [String: [String: StageRoute]] = [:]
        for binding in configuration.stages {
            var methods: [String: [String: CompiledMethod]] = [:]
            // Made on first use, once per stage, for all its methods.
            let stageKeys = Once { compiler.keys(for: binding, configuration: configuration) }
            let signatures = Once { compiler.signatures(for: configuration, binding: binding) }
            let clientCertificate = Once { compiler.clientCertificate(for: binding, configuration: configuration) }
            let schemas = Once { JSONSchemaValidator(models: binding.definition.restApi.models ?? [:]) }
            for resource in binding.definition.resources {
                for (verb, method) in resource.resourceMethods {
                    methods[resource.path, default: [:]][verb] = compiler.compile(method: method, resource: resource, binding: binding,
                                                                                  account: configuration.account, keys: stageKeys.value,
                                                                                  signatures: signatures.value, clientCertificate: clientCertificate.value,
                                                                                  schemas: schemas.value)
                }
            }
            stages[binding.stage.restApiId, default: [:]][binding.stage.stageName] =
                StageRoute(binding: binding, router: Router(resources: binding.definition.resources), methods: methods,
                           gatewayResponses: CompiledGatewayResponses(binding.definition.restApi.gatewayResponses))
        }
        self.stages = stages
        domains = DomainRoutes(configuration.basePathMappings)
    }

    public static let empty = RoutingTable(configuration: GatewayConfiguration(version: 0, account: Account(), stages: []))

    public func stage(apiId: String, stageName: String) -> StageRoute? {
        stages[apiId]?[stageName]
    }

    /// Where an invoke URL points: the API id, stage name and the path inside the stage.
    public struct Target: Sendable, Equatable {
        public var apiId: String
        public var stageName: String
        public var path: String
        /// The custom domain and base path the call came by, when it came by one.
        public var domainName: String? = nil
        public var basePath: String? = nil
    }

    /// Where a call goes: a custom domain's mapping when Host is a mapped custom domain (a path no mapping takes
    /// goes nowhere), else one of the two invoke URL forms.
    public func target(host: String?, path: String) -> Target? {
        if let host, !domains.isEmpty, domains.serves(host: host) {
            guard let route = domains.route(host: host, path: path) else { return nil }
            return Target(apiId: route.restApiId, stageName: route.stage, path: route.path,
                          domainName: DomainName.normalized(host), basePath: route.basePath)
        }
        return Self.target(host: host, path: path)
    }

    /// Reads the two invoke URL forms: `/restapis/{api}/{stage}/_user_request_/{path}`, and
    /// `{api}.execute-api.<anything>` in Host with `/{stage}/{path}`. Scans the bytes once, in place (the
    /// same scan over `String` indices was 1.6 % of a proxied call).
    public static func target(host: String?, path: String) -> Target? {
        var path = path
        if var host = host {
            let hosted: Target?? = host.withUTF8 { host in
                guard let dot = host.firstIndex(of: UInt8(ascii: ".")), starts(host, at: dot, with: ".execute-api.") else { return .none }
                let apiId = String(decoding: UnsafeBufferPointer(rebasing: host[..<dot]), as: UTF8.self)
                return .some(path.withUTF8 { path -> Target? in
                    var start = 0
                    while start < path.count, path[start] == UInt8(ascii: "/") { start += 1 }
                    guard start < path.count else { return nil }
                    guard let slash = path[start...].firstIndex(of: UInt8(ascii: "/")) else {
                        return Target(apiId: apiId, stageName: text(path, start..<path.count), path: "/")
                    }
                    return Target(apiId: apiId, stageName: text(path, start..<slash), path: text(path, slash..<path.count))
                })
            }
            if let hosted { return hosted }
        }
        // "/restapis/" api "/" stage "/_user_request_" ["/" path]
        return path.withUTF8 { path -> Target? in
            let apiStart = 10
            guard starts(path, at: 0, with: "/restapis/"),
                  let apiEnd = path[apiStart...].firstIndex(of: UInt8(ascii: "/")),
                  let stageEnd = path[(apiEnd + 1)...].firstIndex(of: UInt8(ascii: "/")),
                  starts(path, at: stageEnd + 1, with: "_user_request_") else { return nil }
            let rest = stageEnd + 1 + 14
            guard rest == path.count || path[rest] == UInt8(ascii: "/") else { return nil }
            return Target(apiId: text(path, apiStart..<apiEnd), stageName: text(path, (apiEnd + 1)..<stageEnd),
                          path: rest == path.count ? "/" : text(path, rest..<path.count))
        }
    }

    private static func starts(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        let expected = prefix.utf8Start
        for i in 0..<count where bytes[offset + i] != expected[i] { return false }
        return true
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The route stage, first of every call: finds the API, stage, resource and method, then runs the
    /// method's compiled chain. No match is AWS's 403 `Missing Authentication Token`.
    public func respond(to request: GatewayRequest, context: RequestContext) -> StageResult {
        guard let target = target(host: request.head.headers.first(name: "host"), path: request.path) else {
            return .response(context.fail(.missingAuthenticationToken))
        }
        context.target = target
        context.stagePath = target.path
        guard let stage = stage(apiId: target.apiId, stageName: target.stageName) else {
            return .response(context.fail(.missingAuthenticationToken))
        }
        // Known before the route is: an unmatched path of a stage gets the API's gateway responses and access log.
        context.stage = stage
        if stage.binding.definition.restApi.endpointType == .private, !request.privateListener {
            // A PRIVATE API is not reachable from a public listener, whatever the path or its methods' settings.
            return .response(context.fail(.accessDenied, message: "Forbidden",
                                          detail: "the API is PRIVATE and the call came in on a public listener (serve --private)"))
        }
        guard let match = stage.router.match(path: target.path, verb: request.head.method.rawValue) else {
            return .response(context.fail(.missingAuthenticationToken))
        }
        context.match = match
        guard let method = stage.compiled(match) else {
            return .response(context.fail(.apiConfigurationError, detail: "the method was not compiled"))
        }
        context.method = method
        return GatewayNext(stages: method.chain)(request, context)
    }
}

/// One method's compiled chain: the stages it uses, in the design's order, each with its settings resolved.
/// A feature the method does not use has no stage and costs it nothing.
public final class CompiledMethod: Sendable {
    public let chain: [any GatewayStage]
    /// The execution-log level in force for the method.
    public let executionLogging: ExecutionLoggingLevel
    /// Whether execution logging keeps the first KiB of each body (INFO with data trace).
    public let tracesBodies: Bool
    /// The method's metric series, looked up once (not for ANY, whose label is the verb called).
    let series: GatewayMetrics.Series?

    init(chain: [any GatewayStage], executionLogging: ExecutionLoggingLevel, tracesBodies: Bool, series: GatewayMetrics.Series?) {
        self.chain = chain
        self.executionLogging = executionLogging
        self.tracesBodies = tracesBodies
        self.series = series
    }
}

/// A value made on first use and then kept: what a stage's methods share while a configuration is compiled.
final class Once<Value> {
    private var made: Value?
    private let make: () -> Value

    init(_ make: @escaping () -> Value) {
        self.make = make
    }

    var value: Value {
        if let made { return made }
        let value = make()
        made = value
        return value
    }
}
