/// What a method does with a request: proxy it to an HTTP backend, map it to one, or answer from a mock.
/// Mirrors the `Integration` shape of the AWS `apigateway` model.
public struct Integration: Codable, Sendable, Equatable {
    public var type: IntegrationType
    /// The verb sent to the backend (HTTP types); `nil` means the method's own verb.
    public var httpMethod: String?
    /// Backend URI; may hold `{param}` and `${stageVariables.name}` placeholders.
    public var uri: String?
    /// `integration.request.<where>.<name>` → `method.request.<where>.<name>`, `stageVariables.x` or `'literal'`.
    public var requestParameters: [String: String]
    /// Content type → mapping template (Velocity), rendered for HTTP and MOCK integrations; see `passthroughBehavior`.
    public var requestTemplates: [String: String]
    public var passthroughBehavior: String?
    /// Integration timeout, 50…29000 ms (AWS's range); 29000 by default.
    public var timeoutInMillis: Int
    /// Selection pattern (or `default`) → integration response.
    public var integrationResponses: [String: IntegrationResponse]
    /// The request parameters (`method.request.querystring.q`, `method.request.header.Accept`,
    /// `method.request.path.id`) that, beside the path, tell cached responses apart.
    public var cacheKeyParameters: [String]?
    /// AWS's `tlsConfig.insecureSkipVerification`: an HTTPS backend's certificate is not verified. Honoured only
    /// where the integration sets it, and logged when the configuration is loaded.
    public var insecureSkipVerification: Bool?
    /// CONVERT_TO_TEXT or CONVERT_TO_BINARY for the request payload (AWS's `contentHandling`).
    public var contentHandling: String?

    public init(type: IntegrationType, httpMethod: String? = nil, uri: String? = nil,
                requestParameters: [String: String] = [:], requestTemplates: [String: String] = [:],
                passthroughBehavior: String? = nil, timeoutInMillis: Int = Integration.defaultTimeoutInMillis,
                integrationResponses: [String: IntegrationResponse] = [:]) {
        self.type = type
        self.httpMethod = httpMethod
        self.uri = uri
        self.requestParameters = requestParameters
        self.requestTemplates = requestTemplates
        self.passthroughBehavior = passthroughBehavior
        self.timeoutInMillis = timeoutInMillis
        self.integrationResponses = integrationResponses
    }

    public static let defaultTimeoutInMillis = 29_000
    public static let timeoutRange = 50...29_000
}

/// The integration types of the AWS model. `HTTP`, `HTTP_PROXY` and `MOCK` run here; `AWS` and `AWS_PROXY`
/// (Lambda and other AWS services) are kept for round trips but answer 500, since no AWS runs here.
public enum IntegrationType: String, Codable, Sendable, CaseIterable {
    case http = "HTTP"
    case httpProxy = "HTTP_PROXY"
    case mock = "MOCK"
    case aws = "AWS"
    case awsProxy = "AWS_PROXY"

    /// Whether this gateway can execute the type.
    public var isSupported: Bool { self == .http || self == .httpProxy || self == .mock }
}

/// How a backend (or mock) answer becomes the method's response: status, headers and a static body.
/// Mirrors `IntegrationResponse` of the AWS `apigateway` model.
public struct IntegrationResponse: Codable, Sendable, Equatable {
    public var statusCode: String
    /// Regex over the backend status (HTTP) that selects this response; `nil` for the default one.
    public var selectionPattern: String?
    /// `method.response.header.X` → `'literal'` or `integration.response.header.Y`.
    public var responseParameters: [String: String]
    /// Content type → mapping template for the body (Velocity); an empty one passes the backend's body through.
    public var responseTemplates: [String: String]
    /// CONVERT_TO_BINARY (a template's base64 text becomes bytes) or CONVERT_TO_TEXT.
    public var contentHandling: String?

    public init(statusCode: String, selectionPattern: String? = nil, responseParameters: [String: String] = [:],
                responseTemplates: [String: String] = [:]) {
        self.statusCode = statusCode
        self.selectionPattern = selectionPattern
        self.responseParameters = responseParameters
        self.responseTemplates = responseTemplates
    }
}

extension Integration {
    /// A MOCK that answers `status` with `body` (an application/json mapping template; none: an empty body), as
    /// AWS's console makes one: the request template selects the status, one default integration response.
    public static func mock(status: Int = 200, body: String? = nil) -> Integration {
        Integration(type: .mock, requestTemplates: ["application/json": "{\"statusCode\": \(status)}"],
                    integrationResponses: ["default": IntegrationResponse(statusCode: String(status),
                                                                          responseTemplates: body.map { ["application/json": $0] } ?? [:])])
    }
}
