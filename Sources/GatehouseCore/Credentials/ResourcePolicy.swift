import Foundation

/// An API's resource policy (`x-amazon-apigateway-policy`, AWS's `RestApi.policy`): IAM statements allowing or
/// denying `execute-api:Invoke` on the API's resources, to everyone (`Principal: "*"`) or to named signers
/// (`arn:aws:iam::ACCOUNT:user/NAME`), under conditions on the caller's address (`IpAddress`, `NotIpAddress` on
/// `aws:SourceIp`) and request headers (`StringEquals`, `StringLike` and their `Not` forms on `aws:Referer`,
/// `aws:UserAgent` or `gatehouse:Header/NAME`). Parsed once per deployment; evaluation is pure.
public struct ResourcePolicy: Sendable, Equatable {
    /// One statement, with its patterns resolved.
    public struct Statement: Sendable, Equatable {
        public var allow: Bool
        /// nil: everyone (`*`); else the principal ARNs (wildcards allowed).
        public var principals: [String]?
        public var actions: [String]
        public var resources: [String]
        public var conditions: [Condition]
    }

    /// One condition operator on one key with its values (any value may match).
    public struct Condition: Sendable, Equatable {
        public var op: String
        public var key: String
        public var values: [String]
        public var networks: [CIDR]
    }

    /// What the caller presents to the policy.
    public struct Request: Sendable {
        public var resourceArn: String
        public var sourceIp: String
        /// A header's first value, by name (case-insensitive).
        public var header: @Sendable (String) -> String?
        /// The verified signer (`arn:aws:iam::…:user/NAME`), for AWS_IAM methods.
        public var principal: String?

        public init(resourceArn: String, sourceIp: String, principal: String? = nil, header: @escaping @Sendable (String) -> String?) {
            self.resourceArn = resourceArn
            self.sourceIp = sourceIp
            self.principal = principal
            self.header = header
        }
    }

    /// What the policy says of a call.
    public enum Decision: Sendable, Equatable {
        case explicitDeny, allow, noMatch
    }

    public var statements: [Statement]
    /// The document as written (for show and export).
    public var document: String

    static let operators: Set<String> = ["IpAddress", "NotIpAddress", "StringEquals", "StringNotEquals", "StringLike", "StringNotLike",
                                         "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"]

    /// Parses a policy document; `execute-api:/STAGE/VERB/PATH` resources are expanded to the API's ARNs. The
    /// error names the statement and what is wrong with it.
    public static func parse(_ document: String, apiId: String, region: String = "*", account: String = "*") throws(PolicyError) -> ResourcePolicy {
        guard let object = try? JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any] else {
            throw PolicyError(description: "the policy is not a JSON object")
        }
        let raw: [[String: Any]]
        if let list = object["Statement"] as? [[String: Any]] { raw = list }
        else if let one = object["Statement"] as? [String: Any] { raw = [one] }
        else { throw PolicyError(description: "the policy has no Statement") }
        func strings(_ value: Any?) -> [String]? {
            if let text = value as? String { return [text] }
            if let list = value as? [Any] { return list.compactMap { $0 as? String } }
            return nil
        }
        var statements: [Statement] = []
        for (index, statement) in raw.enumerated() {
            let label = "Statement[\(index)]"
            guard let effect = statement["Effect"] as? String, effect == "Allow" || effect == "Deny" else {
                throw PolicyError(description: "\(label): Effect must be Allow or Deny")
            }
            var principals: [String]?
            switch statement["Principal"] {
            case let text as String where text == "*": principals = nil
            case let map as [String: Any]:
                guard let aws = strings(map["AWS"]) else { throw PolicyError(description: "\(label): Principal must be \"*\" or {\"AWS\": [ARNs]}") }
                principals = aws.contains("*") ? nil : aws
            default:
                throw PolicyError(description: "\(label): Principal must be \"*\" or {\"AWS\": [ARNs]}")
            }
            guard let actions = strings(statement["Action"]), !actions.isEmpty else { throw PolicyError(description: "\(label): Action is required") }
            guard let resources = strings(statement["Resource"]), !resources.isEmpty else { throw PolicyError(description: "\(label): Resource is required") }
            let expanded = resources.map { resource -> String in
                guard resource.hasPrefix("execute-api:/") else { return resource }
                return "arn:aws:execute-api:\(region):\(account):\(apiId)/" + resource.dropFirst("execute-api:/".count)
            }
            var conditions: [Condition] = []
            for (op, body) in statement["Condition"] as? [String: Any] ?? [:] {
                guard operators.contains(op), let keys = body as? [String: Any] else {
                    throw PolicyError(description: "\(label): condition operator \(op) is not one of \(operators.sorted().joined(separator: ", "))")
                }
                for (key, value) in keys {
                    let values = strings(value) ?? []
                    var networks: [CIDR] = []
                    if op.hasSuffix("IpAddress") {
                        guard key == "aws:SourceIp" else { throw PolicyError(description: "\(label): \(op) applies to aws:SourceIp, not \(key)") }
                        for text in values {
                            guard let network = CIDR(text) else { throw PolicyError(description: "\(label): '\(text)' is not an IPv4 or IPv6 address or CIDR") }
                            networks.append(network)
                        }
                    } else if !(key == "aws:Referer" || key == "aws:UserAgent" || key.hasPrefix("gatehouse:Header/")) {
                        throw PolicyError(description: "\(label): condition key \(key) is not aws:Referer, aws:UserAgent or gatehouse:Header/NAME")
                    }
                    conditions.append(Condition(op: op, key: key, values: values, networks: networks))
                }
            }
            statements.append(Statement(allow: effect == "Allow", principals: principals, actions: actions, resources: expanded, conditions: conditions))
        }
        return ResourcePolicy(statements: statements, document: document)
    }

    /// IAM's evaluation for one call: an explicit Deny wins, then an Allow, else no match.
    public func decide(_ request: Request) -> Decision {
        var allowed = false
        for statement in statements where applies(statement, to: request) {
            if !statement.allow { return .explicitDeny }
            allowed = true
        }
        return allowed ? .allow : .noMatch
    }

    private func applies(_ statement: Statement, to request: Request) -> Bool {
        if let principals = statement.principals {
            guard let principal = request.principal, principals.contains(where: { Credential.wildcard($0, matches: principal) }) else { return false }
        }
        guard statement.actions.contains(where: { Credential.wildcard($0, matches: "execute-api:Invoke") }),
              statement.resources.contains(where: { Credential.wildcard($0, matches: request.resourceArn) }) else { return false }
        return statement.conditions.allSatisfy { holds($0, request) }
    }

    private func holds(_ condition: Condition, _ request: Request) -> Bool {
        switch condition.op {
        case "IpAddress": return condition.networks.contains { $0.contains(request.sourceIp) }
        case "NotIpAddress": return !condition.networks.contains { $0.contains(request.sourceIp) }
        default:
            let name: String
            switch condition.key {
            case "aws:Referer": name = "Referer"
            case "aws:UserAgent": name = "User-Agent"
            default: name = String(condition.key.dropFirst("gatehouse:Header/".count))
            }
            let value = request.header(name)
            let negated = condition.op.hasPrefix("StringNot")
            let matched: Bool
            guard let value else { return negated }
            switch condition.op {
            case "StringEquals", "StringNotEquals": matched = condition.values.contains(value)
            case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase": matched = condition.values.contains { $0.lowercased() == value.lowercased() }
            default: matched = condition.values.contains { Credential.wildcard($0, matches: value) }
            }
            return negated ? !matched : matched
        }
    }
}

/// Why a resource policy cannot be used.
public struct PolicyError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
