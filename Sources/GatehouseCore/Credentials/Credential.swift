import Foundation

/// An access key pair for SigV4-signed calls (IAM's place here): the id is public, the secret is shown once and
/// kept encrypted; `allow` lists the `execute-api:Invoke` resource ARNs (with `*` and `?` wildcards) it may call.
public struct Credential: Sendable, Equatable {
    public var accessKeyId: String
    public var name: String
    public var allow: [String]
    public var created: Date
    public var revoked: Date?

    public init(accessKeyId: String, name: String, allow: [String], created: Date, revoked: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.name = name
        self.allow = allow
        self.created = created
        self.revoked = revoked
    }

    /// A new access key id: `AKIA` and 16 characters of AWS's alphabet (A–Z, 2–7), from the system's CSPRNG.
    public static func generateAccessKeyId() -> String {
        "AKIA" + RandomText.make(count: 16, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    }

    /// A new secret: 40 characters of letters, digits, `+` and `/`, as AWS's are.
    public static func generateSecret() -> String {
        RandomText.make(count: 40, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    }

    /// Why `pattern` is not an `execute-api:Invoke` resource ARN (`arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH`,
    /// wildcards allowed), or nil.
    public static func problem(withResourcePattern pattern: String) -> String? {
        let parts = pattern.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1] == "aws" || parts[1] == "*",
              parts[2] == "execute-api" || parts[2] == "apigateway" || parts[2] == "*" else {
            return "'\(pattern)' is not an execute-api resource ARN (arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH) or a management one "
                + "(arn:aws:apigateway:REGION::/restapis/…); wildcards * and ? allowed"
        }
        if parts[5].isEmpty { return "'\(pattern)' names no API/STAGE/VERB/PATH after the account (use * for all)" }
        return nil
    }

    /// Whether the credential may invoke `resource` (an ARN): one of its patterns matches, and it is not revoked.
    public func allows(_ resource: String) -> Bool {
        revoked == nil && allow.contains { Self.wildcard($0, matches: resource) }
    }

    /// IAM's wildcard match: `*` any run of characters (slashes included), `?` any one character.
    public static func wildcard(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == UInt8(ascii: "?") || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
