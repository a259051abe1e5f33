import Foundation

/// A stage's access-log settings, as AWS's `AccessLogSettings`: a format of `$context` variables and a
/// destination. Self-hosted, the destination is a file path (or none: the store only).
public struct AccessLogSettings: Codable, Sendable, Equatable {
    public var format: String
    /// A file the lines are appended to; rotated by size.
    public var file: String?
    /// Rotate the file past this size (bytes); 10 MiB by default.
    public var maxBytes: Int
    /// How many rotated files (`.1` … `.N`) are kept.
    public var keep: Int

    public init(format: String, file: String? = nil, maxBytes: Int = 10 * 1024 * 1024, keep: Int = 5) {
        self.format = format
        self.file = file
        self.maxBytes = maxBytes
        self.keep = keep
    }

    /// Common Log Format, which GoAccess and most log tools read (AWS's CLF example).
    public static let clf = #"$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.path $context.protocol" $context.status $context.responseLength"#
    /// One JSON object per line (AWS's JSON example).
    public static let json = #"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","path":"$context.path","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency","userAgent":"$context.identity.userAgent","error":"$context.error.responseType"}"#

    /// `clf` and `json` name the presets; anything else is a template.
    public static func resolve(_ format: String) -> String {
        switch format.lowercased() {
        case "clf": return clf
        case "json": return json
        default: return format
        }
    }
}

/// Renders `$context.*` variables of one call into an access-log format.
public enum AccessLogFormatter {
    /// The variables this gateway fills; any other `$context.x` renders as `-`, as AWS does for unknown ones.
    public static let variables: [String] = [
        "requestId", "extendedRequestId", "apiId", "stage", "httpMethod", "resourcePath", "path", "protocol", "status",
        "responseLength", "requestTime", "requestTimeEpoch", "responseLatency", "integrationLatency", "integration.latency",
        "identity.sourceIp", "identity.userAgent", "identity.apiKeyId", "error.message", "error.responseType", "domainName",
        "identity.caller", "identity.accessKey", "identity.userArn", "authorizer.principalId", "authorizer.error", "authorizer.latency",
        "authorizer.integrationLatency", "authorizer.cached", "authorizer.claims.NAME", "authorizer.NAME",
        "identity.clientCert.clientCertPem", "identity.clientCert.subjectDN", "identity.clientCert.issuerDN",
        "identity.clientCert.serialNumber", "identity.clientCert.validity.notBefore", "identity.clientCert.validity.notAfter",
    ]

    static let clfTime: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return formatter
    }()

    public static func values(_ r: AccessLogRecord, stagePath: String, protocolVersion: String, host: String?) -> [String: String] {
        let latency = String(Int(r.latencyMs.rounded()))
        return [
            "requestId": r.requestId, "extendedRequestId": r.requestId, "apiId": r.apiId ?? "-", "stage": r.stage ?? "-",
            "httpMethod": r.httpMethod, "resourcePath": r.resourcePath ?? "-", "path": stagePath, "protocol": protocolVersion,
            "status": String(r.status), "responseLength": String(r.responseBytes), "requestTime": clfTime.string(from: r.time),
            "requestTimeEpoch": String(Int64(r.time.timeIntervalSince1970 * 1000)), "responseLatency": latency,
            "integrationLatency": r.integrationLatencyMs.map { String(Int($0.rounded())) } ?? "-",
            "integration.latency": r.integrationLatencyMs.map { String(Int($0.rounded())) } ?? "-",
            "identity.sourceIp": r.sourceIp ?? "-", "identity.userAgent": r.userAgent ?? "-", "identity.apiKeyId": r.apiKeyId ?? "-",
            "error.message": r.error.map { GatewayResponseType(rawValue: $0)?.message ?? $0 } ?? "-",
            "error.responseType": r.error.flatMap { $0.split(separator: ":").first.map(String.init) } ?? "-",
            "domainName": host ?? "-", "identity.caller": r.principal ?? "-",
        ]
    }

    /// Replaces every `$context.name` (longest name first) in `format`. Inside a JSON format, values are escaped.
    public static func render(_ format: String, values: [String: String]) -> String {
        let escapeJSON = format.trimmingCharacters(in: .whitespaces).hasPrefix("{")
        var output = ""
        var rest = Substring(format)
        while let range = rest.range(of: "$context.") {
            output += rest[..<range.lowerBound]
            let tail = rest[range.upperBound...]
            let nameEnd = tail.firstIndex { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") } ?? tail.endIndex
            var name = String(tail[..<nameEnd])
            while name.hasSuffix(".") { name.removeLast() }
            let value = values[name] ?? "-"
            output += escapeJSON ? jsonEscaped(value) : value
            rest = tail[tail.index(tail.startIndex, offsetBy: name.count)...]
        }
        return output + rest
    }

    static func jsonEscaped(_ text: String) -> String {
        String(DocValue.quote(text).dropFirst().dropLast())
    }
}

/// Execution logging levels of a stage, as AWS's `loggingLevel`.
public enum ExecutionLoggingLevel: String, Codable, Sendable, CaseIterable {
    case off = "OFF"
    case error = "ERROR"
    case info = "INFO"
}

/// Hides secrets in logged headers: `Authorization`, `x-api-key`, cookies.
public enum Redaction {
    static let sensitive: Set<String> = ["authorization", "x-api-key", "cookie", "set-cookie", "proxy-authorization"]

    public static func headers(_ headers: [(String, String)]) -> String {
        "{" + headers.map { name, value in
            "\(name)=\(sensitive.contains(name.lowercased()) ? "*** (redacted)" : value)"
        }.joined(separator: ", ") + "}"
    }
}
