/// A problem found in an OpenAPI document: where (path in the document and, when known, the line) and why.
/// Errors stop an import before anything is written; warnings name what was not taken over.
public struct ImportDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    /// Dotted path in the document, e.g. `paths./pets.get.x-amazon-apigateway-integration.type`.
    public var location: String
    /// 1-based line in the file, where it is known.
    public var line: Int?
    public var message: String

    public init(location: String, line: Int?, message: String) {
        self.location = location
        self.line = line
        self.message = message
    }

    public var description: String {
        let at = line.map { "line \($0), " } ?? ""
        let path = location.isEmpty ? "document root" : location
        return "\(at)\(path): \(message)"
    }
}

/// Why an OpenAPI document could not be imported; nothing of it was written.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ImportDiagnostic]

    public init(_ diagnostics: [ImportDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        "the OpenAPI document was not imported (nothing was written):\n"
            + diagnostics.map { "  error: \($0)" }.joined(separator: "\n")
    }
}
