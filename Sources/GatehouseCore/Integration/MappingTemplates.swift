import Foundation

/// What an integration does with a request whose content type has no template (AWS's `passthroughBehavior`).
public enum PassthroughBehavior: String, Sendable {
    /// Pass the body through when no template matches its content type (the default).
    case whenNoMatch = "WHEN_NO_MATCH"
    /// Pass it through only when the integration has no templates at all; otherwise 415.
    case whenNoTemplates = "WHEN_NO_TEMPLATES"
    /// Never pass it through: a content type without a template is 415.
    case never = "NEVER"

    /// The behavior an integration names (AWS's exports write it in lower case), WHEN_NO_MATCH when it names none.
    public init(_ text: String?) {
        self = text.flatMap { PassthroughBehavior(rawValue: $0.uppercased()) } ?? .whenNoMatch
    }
}

/// A set of mapping templates by content type, parsed once per configuration. Empty templates are left out:
/// AWS passes a body through where a template is empty.
public struct CompiledTemplates: Sendable {
    public let byContentType: [String: VelocityTemplate]
    /// Whether the integration defines any template (an empty one included), which WHEN_NO_TEMPLATES asks.
    public let definesAny: Bool

    /// Parses each template; the first that does not parse is the error, naming its content type.
    public init(_ templates: [String: String], role: String) throws(MappingTemplateError) {
        var parsed: [String: VelocityTemplate] = [:]
        for contentType in templates.keys.sorted() {
            guard let text = templates[contentType], !text.isEmpty else { continue }
            do {
                parsed[contentType.lowercased()] = try VelocityTemplate(text)
            } catch {
                throw MappingTemplateError(role: role, contentType: contentType, error: error)
            }
        }
        byContentType = parsed
        definesAny = !templates.isEmpty
    }

    public var isEmpty: Bool { byContentType.isEmpty }

    /// The request's media type as templates are keyed: lower case, without parameters; `application/json`
    /// when the request names none (as AWS assumes).
    public static func mediaType(_ contentType: String?) -> String {
        guard let contentType, let type = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces), !type.isEmpty else {
            return "application/json"
        }
        return type.lowercased()
    }

    /// What to do with a request body of `contentType`.
    public enum RequestDecision {
        case passThrough
        case template(contentType: String, VelocityTemplate)
        /// 415: the behavior refuses a content type without a template.
        case unsupported
    }

    public func decide(contentType: String?, behavior: PassthroughBehavior) -> RequestDecision {
        let type = Self.mediaType(contentType)
        if let template = byContentType[type] { return .template(contentType: type, template) }
        switch behavior {
        case .whenNoMatch: return .passThrough
        case .whenNoTemplates: return definesAny ? .unsupported : .passThrough
        case .never: return .unsupported
        }
    }

    /// The response template for a request's `Accept`: the type it names, else `application/json`, else the
    /// first by name; nil when there is none (the body passes through).
    public func response(accept: String?) -> (contentType: String, template: VelocityTemplate)? {
        if let accept {
            for part in accept.split(separator: ",") {
                let type = CompiledTemplates.mediaType(String(part))
                if let template = byContentType[type] { return (type, template) }
            }
        }
        if let template = byContentType["application/json"] { return ("application/json", template) }
        guard let first = byContentType.keys.sorted().first, let template = byContentType[first] else { return nil }
        return (first, template)
    }
}

/// A mapping template that does not parse: which one and where.
public struct MappingTemplateError: Error, CustomStringConvertible {
    public let role: String
    public let contentType: String
    public let error: TemplateError
    public var description: String { "the \(role) template for \(contentType): \(error)" }
}

extension Integration {
    /// The first template of the integration (request or response) that does not parse, if any.
    public func templateProblem() -> MappingTemplateError? {
        do {
            _ = try CompiledTemplates(requestTemplates, role: "request")
            for key in integrationResponses.keys.sorted() {
                _ = try CompiledTemplates(integrationResponses[key]?.responseTemplates ?? [:], role: "\(key) response")
            }
            return nil
        } catch {
            return error
        }
    }
}
