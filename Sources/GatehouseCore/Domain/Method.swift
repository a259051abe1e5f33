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
