import Foundation
import OpenAPIKit30
import Yams

/// Reads an OpenAPI 3.0 or Swagger 2.0 document (JSON or YAML) with the `x-amazon-apigateway-*` extensions
/// into an `ApiDefinition`. All-or-nothing: any error stops it, with the path and line and the reason.
public enum OpenAPIImporter {
    /// The outcome of a successful import: the API and warnings for what was not taken over.
    public struct Result: Sendable {
        public var definition: ApiDefinition
        public var warnings: [ImportDiagnostic]

        public init(definition: ApiDefinition, warnings: [ImportDiagnostic]) {
            self.definition = definition
            self.warnings = warnings
        }
    }

    static let operationKeys: [String: String] = [
        "get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "options": "OPTIONS",
        "head": "HEAD", "patch": "PATCH", "x-amazon-apigateway-any-method": "ANY",
    ]

    /// Extensions this gateway reads.
    static let supportedExtensions: Set<String> = [
        "x-amazon-apigateway-integration", "x-amazon-apigateway-any-method", "x-amazon-apigateway-api-key-source",
        "x-amazon-apigateway-policy", "x-amazon-apigateway-integrations", "x-amazon-apigateway-gateway-responses",
        "x-amazon-apigateway-request-validators", "x-amazon-apigateway-request-validator", "x-amazon-apigateway-documentation",
        "x-amazon-apigateway-binary-media-types", "x-amazon-apigateway-minimum-compression-size",
        "x-amazon-apigateway-endpoint-configuration", "x-amazon-apigateway-tag-value", "x-amazon-apigateway-importexport-version",
    ]

    /// Parses `text` into an API with id `apiId`.
    public static func parse(_ text: String, apiId: String, now: Date = Date()) throws(ImportError) -> Result {
        let root: DocumentNode
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ImportError([ImportDiagnostic(location: "", line: nil, message: "the document is empty")])
            }
            root = DocumentNode(node: node, path: [])
        } catch let error as ImportError {
            throw error
        } catch let error as YamlError {
            throw ImportError([yamlDiagnostic(error)])
        } catch {
            throw ImportError([ImportDiagnostic(location: "", line: nil, message: "cannot parse the document: \(error)")])
        }
        guard root.entries != nil else {
            throw ImportError([root.diagnostic("expected a mapping (an OpenAPI object) at the top level")])
        }
        let dialect: Dialect
        if let version = root.child("swagger") {
            guard version.scalar == "2.0" else {
                throw ImportError([version.diagnostic("unsupported Swagger version '\(version.scalar ?? "")'; expected 2.0")])
            }
            dialect = .swagger2
        } else if let version = root.child("openapi") {
            guard let v = version.scalar, v.hasPrefix("3.0") else {
                throw ImportError([version.diagnostic("unsupported OpenAPI version '\(version.scalar ?? "")'; expected 3.0.x (or swagger: '2.0')")])
            }
            dialect = .openAPI30
            try validateOpenAPI30(text, root: root)
        } else {
            throw ImportError([root.diagnostic("neither 'openapi: 3.0.x' nor 'swagger: \"2.0\"' is present; is this an OpenAPI document?")])
        }
        var reader = Reader(root: root, dialect: dialect, apiId: apiId, now: now)
        let definition = reader.read()
        if !reader.errors.isEmpty { throw ImportError(reader.errors) }
        return Result(definition: definition, warnings: onePerMessage(reader.warnings))
    }

    enum Dialect { case swagger2, openAPI30 }

    /// The same warning about many places (an unsupported field on every operation) once per document: at its
    /// first place, saying how many more there are.
    static func onePerMessage(_ warnings: [ImportDiagnostic]) -> [ImportDiagnostic] {
        var order: [String] = []
        var grouped: [String: [ImportDiagnostic]] = [:]
        for warning in warnings {
            if grouped[warning.message] == nil { order.append(warning.message) }
            grouped[warning.message, default: []].append(warning)
        }
        return order.compactMap { message in
            guard var first = grouped[message]?.first, let count = grouped[message]?.count else { return nil }
            if count > 1 { first.message += " (and \(count - 1) more place\(count == 2 ? "" : "s") like it)" }
            return first
        }
    }

    static func yamlDiagnostic(_ error: YamlError) -> ImportDiagnostic {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return ImportDiagnostic(location: "", line: mark.line, message: "syntax error: \(problem) (column \(mark.column))")
        case let .duplicatedKeysInMapping(duplicates, context):
            return ImportDiagnostic(location: "", line: context.mark.line,
                                    message: "duplicated keys in a mapping: \(duplicates.joined(separator: ", "))")
        default:
            return ImportDiagnostic(location: "", line: nil, message: "syntax error: \(error)")
        }
    }

    /// Structural validation of an OAS 3.0 document by OpenAPIKit, reported at the path and line it names.
    static func validateOpenAPI30(_ text: String, root: DocumentNode) throws(ImportError) {
        do {
            _ = try YAMLDecoder().decode(OpenAPIKit30.OpenAPI.Document.self, from: text)
        } catch {
            let openAPIError = OpenAPIKit30.OpenAPI.Error(from: error)
            let keys = openAPIError.codingPath.map { $0.intValue.map { "Index \($0)" } ?? $0.stringValue }
            let node = root.deepest(along: keys)
            throw ImportError([ImportDiagnostic(location: keys.map { $0.hasPrefix("Index ") ? "[\($0.dropFirst(6))]" : $0 }
                                                    .joined(separator: "."),
                                                line: node.line, message: openAPIError.localizedDescription)])
        }
    }
}
