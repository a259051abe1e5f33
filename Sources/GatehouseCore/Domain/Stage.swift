import Foundation

/// A named, callable snapshot of an API (`prod`, `dev`): which deployment it serves, its variables,
/// and its per-method settings such as throttles. Mirrors `Stage` of the AWS `apigateway` model.
public struct Stage: Codable, Sendable, Equatable {
    public var restApiId: String
    public var stageName: String
    public var deploymentId: String
    public var description: String?
    public var variables: [String: String]
    /// `*/*` for the stage default, `/resource/path/VERB` for one method.
    public var methodSettings: [String: MethodSetting]
    public var createdDate: Date
    public var lastUpdatedDate: Date
    /// Where and how each call is written as a formatted line, beyond the store's own access log.
    public var accessLogSettings: AccessLogSettings?
    /// The stage cache (AWS: `cacheClusterEnabled` and `cacheClusterSize`), in the worker's memory here.
    public var cache: StageCacheSettings?
    /// The client certificate (AWS's `clientCertificateId`) every HTTPS integration call of the stage presents.
    public var clientCertificateId: String?
    /// Bumped by FlushStageAuthorizersCache: custom authorizers' kept answers from before no longer apply.
    public var authorizerCacheGeneration: Int?

    public init(restApiId: String, stageName: String, deploymentId: String, description: String? = nil,
                variables: [String: String] = [:], methodSettings: [String: MethodSetting] = [:],
                createdDate: Date = Date(), lastUpdatedDate: Date = Date()) {
        self.restApiId = restApiId
        self.stageName = stageName
        self.deploymentId = deploymentId
        self.description = description
        self.variables = variables
        self.methodSettings = methodSettings
        self.createdDate = createdDate
        self.lastUpdatedDate = lastUpdatedDate
    }

    /// The key of the stage-wide default in `methodSettings`.
    public static let defaultSettingsKey = "*/*"

    /// The `methodSettings` key of one method, as AWS spells it: `{resource_path}/{http_method}`.
    public static func methodSettingsKey(resourcePath: String, httpMethod: String) -> String {
        "\(resourcePath)/\(httpMethod.uppercased())"
    }

    /// How a method is written to people, everywhere (CLI, errors, audit, console): `GET /pets`; the
    /// stage-wide default is `*`.
    public static func methodLabel(settingsKey key: String) -> String {
        if key == defaultSettingsKey { return "*" }
        guard let slash = key.lastIndex(of: "/") else { return key }
        let path = key[..<slash]
        return "\(key[key.index(after: slash)...]) \(path.isEmpty ? "/" : path)"
    }
}

/// Settings of one method (or of every method, under `*/*`) in a stage. Mirrors `MethodSetting`.
public struct MethodSetting: Codable, Sendable, Equatable {
    public var throttlingRateLimit: Double?
    public var throttlingBurstLimit: Int?
    /// Execution logging: OFF, ERROR (failed calls) or INFO (every call).
    public var loggingLevel: ExecutionLoggingLevel?
    /// With INFO, log the full request and response (headers redacted, bodies up to 1 KiB).
    public var dataTraceEnabled: Bool?
    /// Whether answers are cached (with the stage cache on, GET methods are unless this says false).
    public var cachingEnabled: Bool?
    /// How long an answer is cached, 0…3600 s (300 by default).
    public var cacheTtlInSeconds: Int?
    /// Whether a caller's `Cache-Control: max-age=0` needs an authorized caller to bypass the cache.
    public var requireAuthorizationForCacheControl: Bool?

    public init(throttlingRateLimit: Double? = nil, throttlingBurstLimit: Int? = nil, loggingLevel: ExecutionLoggingLevel? = nil,
                dataTraceEnabled: Bool? = nil) {
        self.throttlingRateLimit = throttlingRateLimit
        self.throttlingBurstLimit = throttlingBurstLimit
        self.loggingLevel = loggingLevel
        self.dataTraceEnabled = dataTraceEnabled
    }

    /// The throttle this setting imposes, if it sets one.
    public var throttle: ThrottleLimit? {
        guard let rate = throttlingRateLimit, let burst = throttlingBurstLimit else { return nil }
        return ThrottleLimit(rate: rate, burst: burst)
    }
}
