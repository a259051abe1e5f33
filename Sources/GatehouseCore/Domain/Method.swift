/// A verb on a resource and how it is authorised and integrated.
/// Mirrors the `Method` shape of the AWS `apigateway` model.
public struct Method: Codable, Sendable, Equatable {
    /// `GET`, `POST`, …, or `ANY`.
    public var httpMethod: String
    public var authorizationType: String
    public var apiKeyRequired: Bool
    public var operationName: String?
    /// Declared request parameters (`method.request.path.id`, `method.request.querystring.q`, …) → required.
    public var requestParameters: [String: Bool]
    public var methodIntegration: Integration?
    /// The API's authorizer that guards the method (a JWT, TOKEN or REQUEST one), by id.
    public var authorizerId: String?
    /// For a JWT authorizer: the token must carry at least one of these scopes (none: any token of the issuer).
    public var authorizationScopes: [String]?
    /// The API's request validator for this method, by name (nil: the API's default, if any).
    public var requestValidatorName: String?
    /// Declared responses by status code (AWS's `MethodResponse`): headers and models per content type.
    public var methodResponses: [String: MethodResponse]?
    /// The request body's model per content type, and whether a body is required.
    public var requestModels: [String: String]?
    public var requestBodyRequired: Bool?
    /// The operation's tags (OpenAPI `tags`), kept for export.
    public var tags: [String]?

    public init(httpMethod: String, authorizationType: String = "NONE", apiKeyRequired: Bool = false,
                operationName: String? = nil, requestParameters: [String: Bool] = [:], methodIntegration: Integration? = nil) {
        self.httpMethod = httpMethod
        self.authorizationType = authorizationType
        self.apiKeyRequired = apiKeyRequired
        self.operationName = operationName
        self.requestParameters = requestParameters
        self.methodIntegration = methodIntegration
    }

    /// The verbs a method may declare, `ANY` included.
    public static let verbs = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"]
}

/// A response a method declares (AWS's `MethodResponse`): its headers (`method.response.header.NAME` → required)
/// and its body's model per content type. Kept so an export gives back what was imported.
public struct MethodResponse: Codable, Sendable, Equatable {
    public var statusCode: String
    public var description: String?
    public var responseParameters: [String: Bool]
    public var responseModels: [String: String]

    public init(statusCode: String, description: String? = nil, responseParameters: [String: Bool] = [:], responseModels: [String: String] = [:]) {
        self.statusCode = statusCode
        self.description = description
        self.responseParameters = responseParameters
        self.responseModels = responseModels
    }
}

extension Method {
    /// The responses a method that declares none is given (as AWS's import gives it): one per status its
    /// integration answers with, else 200.
    public var derivedResponses: [String: MethodResponse] {
        let statuses = Set(methodIntegration?.integrationResponses.values.map(\.statusCode) ?? []).sorted()
        return Dictionary(uniqueKeysWithValues: (statuses.isEmpty ? ["200"] : statuses).map { ($0, MethodResponse(statusCode: $0, description: "\($0) response")) })
    }
}
