/// An API's customization of the answers the gateway makes itself (AWS's `GatewayResponse`, from
/// `x-amazon-apigateway-gateway-responses` or `gatehouse gateway-response set`): a status code, headers and body
/// templates per content type for one response type. `DEFAULT_4XX` and `DEFAULT_5XX` are inherited by every
/// 4xx or 5xx type the API does not customize itself.
public struct GatewayResponseSetting: Codable, Sendable, Equatable {
    /// One of AWS's response types (`UNAUTHORIZED`, `DEFAULT_4XX`, …).
    public var responseType: String
    public var statusCode: String?
    /// `gatewayresponse.header.NAME` → `'literal'`, `method.request.header.X`, `method.request.querystring.X`,
    /// `method.request.path.X`, `context.X` or `stageVariables.X`.
    public var responseParameters: [String: String]
    /// Content type → body template (`$context.error.messageString`, `$context.requestId`, `$stageVariables.X`, …).
    public var responseTemplates: [String: String]

    public init(responseType: String, statusCode: String? = nil, responseParameters: [String: String] = [:], responseTemplates: [String: String] = [:]) {
        self.responseType = responseType
        self.statusCode = statusCode
        self.responseParameters = responseParameters
        self.responseTemplates = responseTemplates
    }

    /// Every response type AWS lets an API customize.
    public static let responseTypes: [String] = [
        "ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE", "BAD_REQUEST_BODY",
        "BAD_REQUEST_PARAMETERS", "DEFAULT_4XX", "DEFAULT_5XX", "EXPIRED_TOKEN", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT",
        "INVALID_API_KEY", "INVALID_SIGNATURE", "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE",
        "RESOURCE_NOT_FOUND", "THROTTLED", "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED",
    ]

    /// Why this setting cannot be used, or nil.
    public var problem: String? {
        guard Self.responseTypes.contains(responseType) else {
            return "'\(responseType)' is not a gateway response type (\(Self.responseTypes.joined(separator: ", ")))"
        }
        if let statusCode, Int(statusCode).map({ (100...599).contains($0) }) != true {
            return "\(responseType): statusCode '\(statusCode)' is not a status from 100 to 599"
        }
        for (name, value) in responseParameters {
            guard name.hasPrefix("gatewayresponse.header."), name.count > "gatewayresponse.header.".count else {
                return "\(responseType): '\(name)' must be gatewayresponse.header.NAME"
            }
            let sources = ["method.request.header.", "method.request.querystring.", "method.request.path.", "context.", "stageVariables."]
            guard (value.hasPrefix("'") && value.hasSuffix("'") && value.count >= 2) || sources.contains(where: { value.hasPrefix($0) }) else {
                return "\(responseType): '\(value)' for \(name) must be a 'quoted literal', method.request.header|querystring|path.NAME, context.NAME or stageVariables.NAME"
            }
        }
        return nil
    }

    /// What applies to `type` (whose own status is `defaultStatus`): the API's setting for it, over the API's
    /// DEFAULT_4XX or DEFAULT_5XX: its own fields win, headers are merged. Nil when the API customizes neither.
    public static func effective(for type: String, defaultStatus: Int, in settings: [String: GatewayResponseSetting]) -> GatewayResponseSetting? {
        let fallback = settings[defaultStatus >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX"]
        let own = settings[type]
        guard own != nil || fallback != nil else { return nil }
        var merged = GatewayResponseSetting(responseType: type)
        merged.statusCode = own?.statusCode ?? fallback?.statusCode
        merged.responseParameters = (fallback?.responseParameters ?? [:]).merging(own?.responseParameters ?? [:]) { _, mine in mine }
        merged.responseTemplates = own?.responseTemplates.isEmpty == false ? own?.responseTemplates ?? [:] : fallback?.responseTemplates ?? [:]
        return merged
    }
}
