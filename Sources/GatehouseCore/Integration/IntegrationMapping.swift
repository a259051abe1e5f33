import Foundation

/// What the gateway sends to a backend for one request: verb, full URL and the headers that the
/// integration's parameter mapping adds. Computed purely from the request and the integration.
public struct IntegrationRequestPlan: Sendable, Equatable {
    public var method: String
    public var url: String
    /// Headers set by `integration.request.header.*` mappings.
    public var mappedHeaders: [(name: String, value: String)]
    /// HTTP_PROXY forwards the client's headers and query; HTTP sends only what is mapped.
    public var forwardsClientRequest: Bool

    public static func == (lhs: IntegrationRequestPlan, rhs: IntegrationRequestPlan) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.forwardsClientRequest == rhs.forwardsClientRequest
            && lhs.mappedHeaders.map { "\($0.name): \($0.value)" } == rhs.mappedHeaders.map { "\($0.name): \($0.value)" }
    }
}

/// The request values a mapping expression can read.
public struct MappingInput: Sendable {
    public var verb: String
    public var pathParameters: [String: String]
    public var query: [String: String]
    public var rawQuery: String?
    /// Header names lowercased.
    public var headers: [String: String]
    public var stageVariables: [String: String]
    /// `context.*` values (`requestId`, `stage`, `identity.sourceIp`, …).
    public var context: [String: String]

    public init(verb: String, pathParameters: [String: String], query: [String: String], rawQuery: String?,
                headers: [String: String], stageVariables: [String: String], context: [String: String]) {
        self.verb = verb
        self.pathParameters = pathParameters
        self.query = query
        self.rawQuery = rawQuery
        self.headers = headers
        self.stageVariables = stageVariables
        self.context = context
    }
}

/// A mapping that cannot be carried out; the gateway answers API_CONFIGURATION_ERROR (500) and logs why.
public struct MappingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// Turns an HTTP or HTTP_PROXY integration and a request into the backend request, as API Gateway does:
/// stage variables in the URI, `{param}` placeholders, and `requestParameters` mappings.
public enum IntegrationMapping {
    public static func plan(_ integration: Integration, input: MappingInput) throws(MappingError) -> IntegrationRequestPlan {
        guard var uri = integration.uri else { throw MappingError(description: "the integration has no uri") }
        uri = try substituteStageVariables(in: uri, variables: input.stageVariables)

        var pathValues: [String: String] = [:]
        var queryValues: [(String, String)] = []
        var headers: [(name: String, value: String)] = []
        for key in integration.requestParameters.keys.sorted() {
            guard let expression = integration.requestParameters[key] else { continue }
            let value = try resolve(expression, input: input)
            let parts = key.split(separator: ".", maxSplits: 3).map(String.init)
            guard parts.count == 4, parts[0] == "integration", parts[1] == "request" else {
                throw MappingError(description: "'\(key)' is not an integration.request.<location>.<name> parameter")
            }
            guard let value else { continue }
            switch parts[2] {
            case "path": pathValues[parts[3]] = value
            case "querystring": queryValues.append((parts[3], value))
            case "header": headers.append((parts[3], value))
            default: throw MappingError(description: "'\(key)': the location must be path, querystring or header")
            }
        }
        uri = try substitutePathPlaceholders(in: uri, mapped: pathValues, fallback: input.pathParameters)

        let forwards = integration.type == .httpProxy
        var queryParts: [String] = []
        if forwards, let raw = input.rawQuery, !raw.isEmpty { queryParts.append(raw) }
        for (name, value) in queryValues { queryParts.append("\(percentEncode(name))=\(percentEncode(value))") }
        if !queryParts.isEmpty { uri += (uri.contains("?") ? "&" : "?") + queryParts.joined(separator: "&") }

        var method = (integration.httpMethod ?? input.verb).uppercased()
        if method == "ANY" { method = input.verb.uppercased() }
        return IntegrationRequestPlan(method: method, url: uri, mappedHeaders: headers, forwardsClientRequest: forwards)
    }

    /// Replaces `${stageVariables.name}`; a variable the stage does not define is an error.
    public static func substituteStageVariables(in text: String, variables: [String: String]) throws(MappingError) -> String {
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${stageVariables.") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw MappingError(description: "unterminated ${stageVariables.…} in '\(text)'")
            }
            let name = String(rest[start.upperBound..<end])
            guard let value = variables[name] else {
                throw MappingError(description: "stage variable '\(name)' is not set on this stage (set it with deploy --var \(name)=…)")
            }
            result += value
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    static func substitutePathPlaceholders(in uri: String, mapped: [String: String], fallback: [String: String]) throws(MappingError) -> String {
        var result = ""
        var rest = Substring(uri)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw MappingError(description: "unbalanced '{' in uri '\(uri)'")
            }
            var name = String(rest[rest.index(after: open)..<close])
            if name.hasSuffix("+") { name.removeLast() }
            guard let value = mapped[name] ?? fallback[name] else {
                throw MappingError(description: "uri placeholder {\(name)} has no value: map integration.request.path.\(name)")
            }
            result += value
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    /// Reads a mapping expression; `nil` when the request does not carry the value.
    static func resolve(_ expression: String, input: MappingInput) throws(MappingError) -> String? {
        if expression.hasPrefix("'") && expression.hasSuffix("'") && expression.count >= 2 {
            return String(expression.dropFirst().dropLast())
        }
        if expression.hasPrefix("stageVariables.") {
            return input.stageVariables[String(expression.dropFirst("stageVariables.".count))]
        }
        if expression.hasPrefix("context.") {
            return input.context[String(expression.dropFirst("context.".count))]
        }
        let parts = expression.split(separator: ".", maxSplits: 3).map(String.init)
        guard parts.count == 4, parts[0] == "method", parts[1] == "request" else {
            throw MappingError(description: "cannot read '\(expression)': expected method.request.<location>.<name>, stageVariables.<name>, context.<name> or 'literal'")
        }
        switch parts[2] {
        case "path": return input.pathParameters[parts[3]]
        case "querystring": return input.query[parts[3]]
        case "header": return input.headers[parts[3].lowercased()]
        default: throw MappingError(description: "cannot read '\(expression)': the location must be path, querystring or header")
        }
    }

    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
