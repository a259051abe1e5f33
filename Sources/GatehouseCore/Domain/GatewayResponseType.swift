/// The gateway's own answers (no route, throttled, backend down, …) with AWS's types, statuses and
/// default bodies, so clients written against Amazon API Gateway read them the same way.
public enum GatewayResponseType: String, Sendable, CaseIterable, Codable {
    case accessDenied = "ACCESS_DENIED"
    case apiConfigurationError = "API_CONFIGURATION_ERROR"
    case authorizerConfigurationError = "AUTHORIZER_CONFIGURATION_ERROR"
    case authorizerFailure = "AUTHORIZER_FAILURE"
    case badRequestBody = "BAD_REQUEST_BODY"
    case badRequestParameters = "BAD_REQUEST_PARAMETERS"
    case expiredToken = "EXPIRED_TOKEN"
    case integrationFailure = "INTEGRATION_FAILURE"
    case integrationTimeout = "INTEGRATION_TIMEOUT"
    case invalidApiKey = "INVALID_API_KEY"
    case invalidSignature = "INVALID_SIGNATURE"
    case missingAuthenticationToken = "MISSING_AUTHENTICATION_TOKEN"
    case quotaExceeded = "QUOTA_EXCEEDED"
    case requestTooLarge = "REQUEST_TOO_LARGE"
    case resourceNotFound = "RESOURCE_NOT_FOUND"
    case throttled = "THROTTLED"
    case unauthorized = "UNAUTHORIZED"
    case unsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
    case default4xx = "DEFAULT_4XX"
    case default5xx = "DEFAULT_5XX"

    /// The default status. A refused backend is reported 502 (as nginx and Kong do) while keeping the
    /// INTEGRATION_FAILURE type, so a customised gateway response still applies.
    public var statusCode: Int {
        switch self {
        case .accessDenied, .expiredToken, .invalidApiKey, .invalidSignature, .missingAuthenticationToken: return 403
        case .apiConfigurationError, .authorizerConfigurationError, .authorizerFailure, .default5xx: return 500
        case .badRequestBody, .badRequestParameters, .default4xx: return 400
        case .integrationFailure: return 502
        case .integrationTimeout: return 504
        case .quotaExceeded, .throttled: return 429
        case .requestTooLarge: return 413
        case .resourceNotFound: return 404
        case .unauthorized: return 401
        case .unsupportedMediaType: return 415
        }
    }

    /// AWS's default message.
    public var message: String {
        switch self {
        case .accessDenied: return "User is not authorized to access this resource"
        case .apiConfigurationError, .default5xx, .integrationFailure: return "Internal server error"
        case .authorizerConfigurationError, .authorizerFailure: return "Internal server error"
        case .badRequestBody: return "Invalid request body"
        case .badRequestParameters: return "Missing required request parameters"
        case .integrationTimeout: return "Endpoint request timed out"
        case .invalidApiKey: return "Forbidden"
        case .invalidSignature: return "The request signature we calculated does not match the signature you provided."
        case .expiredToken: return "The security token included in the request is expired"
        case .missingAuthenticationToken: return "Missing Authentication Token"
        case .quotaExceeded: return "Limit Exceeded"
        case .requestTooLarge: return "Request Too Long"
        case .resourceNotFound: return "Not Found"
        case .throttled: return "Too Many Requests"
        case .unauthorized: return "Unauthorized"
        case .unsupportedMediaType: return "Unsupported Media Type"
        case .default4xx: return "Bad Request"
        }
    }

    /// The `x-amzn-ErrorType` header AWS sends with it.
    public var errorTypeHeader: String {
        switch self {
        case .missingAuthenticationToken: return "MissingAuthenticationTokenException"
        case .throttled, .quotaExceeded: return "TooManyRequestsException"
        case .accessDenied, .invalidApiKey: return "ForbiddenException"
        case .invalidSignature: return "InvalidSignatureException"
        case .expiredToken: return "ExpiredTokenException"
        case .requestTooLarge: return "RequestTooLargeException"
        case .unauthorized: return "UnauthorizedException"
        case .unsupportedMediaType: return "UnsupportedMediaTypeException"
        case .resourceNotFound: return "NotFoundException"
        case .badRequestBody, .badRequestParameters, .default4xx: return "BadRequestException"
        case .apiConfigurationError, .integrationFailure, .integrationTimeout, .default5xx: return "InternalServerErrorException"
        case .authorizerConfigurationError, .authorizerFailure: return "AuthorizerConfigurationException"
        }
    }

    /// How authorization refused a call answered with this type — `unauthorized` (401), `denied` (403: a
    /// signature, a policy, an authorizer's deny, no token) or `error` (the authorizer failed) — or nil when the
    /// type is not an authorization refusal. One classification for `/metrics`, `$context.authorizer.error` and
    /// the console's `auth:` filter.
    public var authorizationRefusal: String? {
        switch self {
        case .unauthorized: return "unauthorized"
        case .accessDenied, .invalidSignature, .expiredToken, .missingAuthenticationToken: return "denied"
        case .authorizerFailure, .authorizerConfigurationError: return "error"
        default: return nil
        }
    }

    /// `{"message":"…"}`.
    public var body: String {
        "{\"message\":\"\(message)\"}"
    }
}
