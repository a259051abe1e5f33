import Foundation

/// Who may call a method, decided before the integration: AWS's `Authorizer` shape. A `JWT` authorizer is the
/// self-hosted Cognito (any OpenID Connect issuer's tokens, checked against its keys); `TOKEN` and `REQUEST`
/// are custom authorizers reached over HTTP; `COGNITO_USER_POOLS` is kept as imported and not served here.
public struct Authorizer: Codable, Sendable, Equatable {
    /// Issuer and audiences a JWT authorizer accepts (HTTP APIs' `jwtConfiguration`).
    public struct JwtConfiguration: Codable, Sendable, Equatable {
        public var issuer: String
        public var audience: [String]

        public init(issuer: String, audience: [String]) {
            self.issuer = issuer
            self.audience = audience
        }
    }

    public var id: String
    public var name: String
    /// `JWT`, `TOKEN`, `REQUEST` or `COGNITO_USER_POOLS`.
    public var type: String
    /// Where the identity comes from, e.g. `method.request.header.Authorization` (HTTP APIs write
    /// `$request.header.Authorization`; both are read).
    public var identitySource: String?
    public var jwtConfiguration: JwtConfiguration?
    /// The issuer's key set; when nil, read from `ISSUER/.well-known/openid-configuration`.
    public var jwksUri: String?
    public var authorizerUri: String?
    public var authorizerResultTtlInSeconds: Int?
    public var identityValidationExpression: String?
    public var providerARNs: [String]?

    public init(id: String, name: String, type: String, identitySource: String? = nil, jwtConfiguration: JwtConfiguration? = nil,
                jwksUri: String? = nil, authorizerUri: String? = nil, authorizerResultTtlInSeconds: Int? = nil,
                identityValidationExpression: String? = nil, providerARNs: [String]? = nil) {
        self.id = id
        self.name = name
        self.type = type
        self.identitySource = identitySource
        self.jwtConfiguration = jwtConfiguration
        self.jwksUri = jwksUri
        self.authorizerUri = authorizerUri
        self.authorizerResultTtlInSeconds = authorizerResultTtlInSeconds
        self.identityValidationExpression = identityValidationExpression
        self.providerARNs = providerARNs
    }

    /// A new authorizer id: 6 characters of AWS's alphabet.
    public static func generateId() -> String {
        RandomText.make(count: 6, from: "abcdefghijklmnopqrstuvwxyz0123456789")
    }

    /// The header the identity is read from (`Authorization` unless the identity source names another).
    public var identityHeader: String {
        for source in (identitySource ?? "").split(separator: ",") {
            let trimmed = source.trimmingCharacters(in: .whitespaces)
            for prefix in ["method.request.header.", "$request.header."] where trimmed.hasPrefix(prefix) {
                return String(trimmed.dropFirst(prefix.count))
            }
        }
        return "Authorization"
    }

    /// The authorization type of a method it guards: `JWT`, `COGNITO_USER_POOLS`, or `CUSTOM` (TOKEN and REQUEST).
    public var methodAuthorizationType: String {
        switch type.uppercased() {
        case "JWT": return "JWT"
        case "COGNITO_USER_POOLS": return "COGNITO_USER_POOLS"
        default: return "CUSTOM"
        }
    }

    /// How long a custom authorizer's answer is kept (AWS's default 300 s; 0 turns the cache off).
    public var resultTtl: Int { authorizerResultTtlInSeconds ?? 300 }

    /// A REQUEST authorizer's identity sources, one per comma (`method.request.header.Auth, method.request.querystring.q`).
    public var identitySources: [String] {
        (identitySource ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Why this authorizer cannot be served here, or nil when it can.
    public var problem: String? {
        switch type.uppercased() {
        case "JWT":
            guard let jwt = jwtConfiguration, URL(string: jwt.issuer)?.scheme?.hasPrefix("http") == true else {
                return "JWT authorizer '\(name)' has no issuer URL (jwtConfiguration.issuer)"
            }
            if jwt.audience.isEmpty { return "JWT authorizer '\(name)' names no audience (jwtConfiguration.audience)" }
            if let jwksUri, URL(string: jwksUri)?.scheme?.hasPrefix("http") != true {
                return "JWT authorizer '\(name)': jwksUri '\(jwksUri)' is not an http(s) URL"
            }
            return nil
        case "TOKEN", "REQUEST":
            guard let uri = authorizerUri, let scheme = URL(string: uri)?.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                return "\(type) authorizer '\(name)' needs an http(s) authorizerUri (a Lambda ARN cannot be called here: put the function behind HTTP)"
            }
            if let ttl = authorizerResultTtlInSeconds, !(0...3600).contains(ttl) {
                return "authorizer '\(name)': authorizerResultTtlInSeconds must be 0 to 3600, not \(ttl)"
            }
            if type.uppercased() == "TOKEN", let expression = identityValidationExpression, (try? NSRegularExpression(pattern: expression)) == nil {
                return "authorizer '\(name)': identityValidationExpression '\(expression)' is not a regular expression"
            }
            return nil
        case "COGNITO_USER_POOLS":
            return "authorizer '\(name)' is a Cognito user pool, which does not run here: use a JWT authorizer with the pool's issuer"
        default:
            return "authorizer '\(name)' is of type \(type), which this worker does not run yet"
        }
    }
}
