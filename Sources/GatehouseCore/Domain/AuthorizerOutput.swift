import Foundation

/// What a custom (TOKEN or REQUEST) authorizer answers, in AWS's Lambda authorizer output format: the
/// principal, an IAM policy allowing or denying `execute-api:Invoke` on resource ARNs (wildcards allowed), a
/// context handed to mappings, and for APIs whose key source is `AUTHORIZER` the caller's API key.
public struct AuthorizerOutput: Sendable, Equatable {
    /// One statement of the policy.
    public struct Statement: Sendable, Equatable {
        public var allow: Bool
        public var actions: [String]
        public var resources: [String]
    }

    public var principalId: String?
    public var statements: [Statement]
    public var context: [String: String]
    public var usageIdentifierKey: String?

    /// Reads the JSON an authorizer returned; the error says what is wrong with it.
    public static func parse(_ data: Data) throws(AuthorizerOutputError) -> AuthorizerOutput {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw AuthorizerOutputError(description: "the authorizer's answer is not a JSON object")
        }
        guard let policy = object["policyDocument"] as? [String: Any] else {
            throw AuthorizerOutputError(description: "the authorizer's answer has no policyDocument")
        }
        let rawStatements: [[String: Any]]
        if let list = policy["Statement"] as? [[String: Any]] {
            rawStatements = list
        } else if let one = policy["Statement"] as? [String: Any] {
            rawStatements = [one]
        } else {
            throw AuthorizerOutputError(description: "the policyDocument has no Statement")
        }
        func strings(_ value: Any?) -> [String] {
            if let text = value as? String { return [text] }
            return (value as? [Any])?.compactMap { $0 as? String } ?? []
        }
        var statements: [Statement] = []
        for raw in rawStatements {
            guard let effect = raw["Effect"] as? String, effect == "Allow" || effect == "Deny" else {
                throw AuthorizerOutputError(description: "a policy statement's Effect must be Allow or Deny")
            }
            statements.append(Statement(allow: effect == "Allow", actions: strings(raw["Action"]), resources: strings(raw["Resource"])))
        }
        var context: [String: String] = [:]
        for (key, value) in object["context"] as? [String: Any] ?? [:] {
            switch value {
            case let text as String: context[key] = text
            case let flag as Bool where type(of: value) == Bool.self: context[key] = flag ? "true" : "false"
            case let number as NSNumber: context[key] = number.stringValue
            default:
                throw AuthorizerOutputError(description: "context.\(key) must be a string, number or boolean (as AWS requires)")
            }
        }
        return AuthorizerOutput(principalId: (object["principalId"] as? String) ?? (object["principalId"] as? NSNumber)?.stringValue,
                                statements: statements, context: context, usageIdentifierKey: object["usageIdentifierKey"] as? String)
    }

    /// IAM's evaluation for `execute-api:Invoke` on `methodArn`: an explicit Deny wins, then an Allow; nothing
    /// matching is a deny.
    public func allows(_ methodArn: String) -> Bool {
        func matches(_ statement: Statement) -> Bool {
            statement.actions.contains { Credential.wildcard($0, matches: "execute-api:Invoke") }
                && statement.resources.contains { Credential.wildcard($0, matches: methodArn) }
        }
        if statements.contains(where: { !$0.allow && matches($0) }) { return false }
        return statements.contains { $0.allow && matches($0) }
    }
}

/// Why an authorizer's answer could not be used.
public struct AuthorizerOutputError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
