/// What AWS's console "Enable CORS" does to an API, as a pure change of its definition: an OPTIONS MOCK on each
/// resource answering the preflight with `Access-Control-Allow-*` headers (no backend is called), the
/// `Access-Control-Allow-Origin` header on the other non-proxy methods' integration responses (a proxy's backend
/// sets its own, as AWS leaves it), and on the
/// DEFAULT_4XX and DEFAULT_5XX gateway responses, so errors are readable by the browser too.
public struct CorsSettings: Sendable, Equatable {
    public var origin: String
    public var methods: [String]
    public var headers: [String]

    public init(origin: String, methods: [String], headers: [String]) {
        self.origin = origin
        self.methods = methods
        self.headers = headers
    }

    /// AWS's defaults for allowed headers.
    public static let defaultHeaders = ["Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token"]

    /// `value` as a mapping literal: `'value'`.
    static func literal(_ value: String) -> String { "'" + value + "'" }

    /// Why these settings cannot be used, or nil (a quote would end the literal early).
    public var problem: String? {
        if origin.isEmpty { return "--origin is required ('*' or a scheme://host[:port])" }
        if origin.contains(",") { return "'\(origin)' is more than one origin: Access-Control-Allow-Origin names one (or '*')" }
        for value in [origin] + methods + headers where value.contains("'") {
            return "'\(value)' cannot be used in a CORS header: it contains a quote"
        }
        return nil
    }

    /// Enables CORS on the resource at `resourcePath` (every resource when nil); returns the changed definition
    /// and the paths that got an OPTIONS preflight.
    public func apply(to definition: ApiDefinition, resourcePath: String? = nil) -> (ApiDefinition, [String]) {
        var changed = definition
        var preflighted: [String] = []
        for index in changed.resources.indices where resourcePath == nil || changed.resources[index].path == resourcePath {
            var resource = changed.resources[index]
            // The methods the preflight allows: the given ones, else the resource's own verbs (ANY: all of them).
            var allowed = methods
            if allowed.isEmpty {
                let verbs = resource.resourceMethods.keys.filter { $0 != "OPTIONS" }
                allowed = verbs.contains("ANY") ? ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"] : (verbs + ["OPTIONS"]).sorted()
            }
            if resource.resourceMethods.isEmpty && resourcePath == nil { continue }
            let allowHeaders = (headers.isEmpty ? Self.defaultHeaders : headers).joined(separator: ",")
            var options = Method(httpMethod: "OPTIONS")
            var preflight = Integration.mock(body: "")
            preflight.integrationResponses["default"]?.responseParameters = [
                "method.response.header.Access-Control-Allow-Headers": Self.literal(allowHeaders),
                "method.response.header.Access-Control-Allow-Methods": Self.literal(allowed.joined(separator: ",")),
                "method.response.header.Access-Control-Allow-Origin": Self.literal(origin),
            ]
            options.methodIntegration = preflight
            resource.resourceMethods["OPTIONS"] = options
            for (verb, var method) in resource.resourceMethods where verb != "OPTIONS" {
                guard var integration = method.methodIntegration, integration.type == .http || integration.type == .mock else { continue }
                for key in integration.integrationResponses.keys {
                    integration.integrationResponses[key]?.responseParameters["method.response.header.Access-Control-Allow-Origin"] = Self.literal(origin)
                }
                method.methodIntegration = integration
                resource.resourceMethods[verb] = method
            }
            changed.resources[index] = resource
            preflighted.append(resource.path)
        }
        var responses = changed.restApi.gatewayResponses ?? [:]
        for type in ["DEFAULT_4XX", "DEFAULT_5XX"] {
            var setting = responses[type] ?? GatewayResponseSetting(responseType: type)
            setting.responseParameters["gatewayresponse.header.Access-Control-Allow-Origin"] = Self.literal(origin)
            setting.responseParameters["gatewayresponse.header.Access-Control-Allow-Headers"] = Self.literal((headers.isEmpty ? Self.defaultHeaders : headers).joined(separator: ","))
            responses[type] = setting
        }
        changed.restApi.gatewayResponses = responses
        return (changed, preflighted)
    }
}
