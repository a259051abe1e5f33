import Foundation

/// A piece of an API's documentation (AWS's `DocumentationPart`, from `x-amazon-apigateway-documentation`): where
/// it applies and its properties (a JSON object, kept as text). Kept, listed and exported; parts with wildcard
/// locations are inherited by every entity they match, the most specific part winning, as AWS documents.
public struct DocumentationPart: Codable, Sendable, Equatable {
    /// Where a part applies; a nil or `*` field matches any.
    public struct Location: Codable, Sendable, Equatable {
        public var type: String
        public var path: String?
        public var method: String?
        public var statusCode: String?
        public var name: String?

        public init(type: String, path: String? = nil, method: String? = nil, statusCode: String? = nil, name: String? = nil) {
            self.type = type
            self.path = path
            self.method = method
            self.statusCode = statusCode
            self.name = name
        }

        /// AWS's location types.
        public static let types = ["API", "AUTHORIZER", "MODEL", "RESOURCE", "METHOD", "PATH_PARAMETER", "QUERY_PARAMETER", "REQUEST_HEADER",
                                   "REQUEST_BODY", "RESPONSE", "RESPONSE_HEADER", "RESPONSE_BODY"]

        /// Whether this (possibly wildcard) location covers `target` (a concrete one of the same type).
        public func covers(_ target: Location) -> Bool {
            func field(_ mine: String?, _ theirs: String?) -> Bool { mine == nil || mine == "*" || mine == theirs }
            return type == target.type && field(path, target.path) && field(method.map { $0.uppercased() }, target.method?.uppercased())
                && field(statusCode, target.statusCode) && field(name, target.name)
        }

        /// How many fields are given (not wildcards): the more, the more specific.
        var specificity: Int { [path, method, statusCode, name].filter { $0 != nil && $0 != "*" }.count }
    }

    public var location: Location
    /// A JSON object as text.
    public var properties: String

    public init(location: Location, properties: String) {
        self.location = location
        self.properties = properties
    }

    /// The part that documents `target` among `parts`: its own, else the most specific wildcard one; nil if none.
    public static func effective(for target: Location, in parts: [DocumentationPart]) -> DocumentationPart? {
        parts.filter { $0.location.covers(target) }.max { $0.location.specificity < $1.location.specificity }
    }
}

/// An API's documentation: its version label and parts.
public struct ApiDocumentation: Codable, Sendable, Equatable {
    public var version: String?
    public var parts: [DocumentationPart]

    public init(version: String? = nil, parts: [DocumentationPart]) {
        self.version = version
        self.parts = parts
    }
}
