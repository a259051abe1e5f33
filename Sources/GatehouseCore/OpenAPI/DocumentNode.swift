import Foundation
import Yams

/// A parsed YAML/JSON node with its location, so every mapping step can name the path and line it reads.
struct DocumentNode {
    let node: Node
    let path: [String]

    var location: String { path.joined(separator: ".") }
    var line: Int? { node.mark?.line }

    func child(_ key: String) -> DocumentNode? {
        guard case .mapping(let mapping) = node else { return nil }
        for (k, v) in mapping where k.string == key { return DocumentNode(node: v, path: path + [key]) }
        return nil
    }

    /// The mapping's entries in document order, or `nil` if this is not a mapping.
    var entries: [(key: String, value: DocumentNode)]? {
        guard case .mapping(let mapping) = node else { return nil }
        return mapping.map { (k, v) in
            let key = k.string ?? ""
            return (key, DocumentNode(node: v, path: path + [key]))
        }
    }

    var elements: [DocumentNode]? {
        guard case .sequence(let sequence) = node else { return nil }
        return sequence.enumerated().map { DocumentNode(node: $1, path: path + ["[\($0)]"]) }
    }

    var scalar: String? {
        guard case .scalar(let scalar) = node else { return nil }
        return scalar.string
    }

    /// The node as JSONSerialization values with YAML's types: an unquoted `true`, `12` or `1.5` is a boolean or a
    /// number, a quoted one stays a string (what a JSON schema's `minimum: 0` or `additionalProperties: false` need).
    var typedValue: Any {
        if let entries { return Dictionary(entries.map { ($0.key, $0.value.typedValue) }, uniquingKeysWith: { $1 }) }
        if let elements { return elements.map(\.typedValue) }
        guard case .scalar(let scalar) = node else { return NSNull() }
        guard scalar.style == .plain else { return scalar.string }
        switch scalar.string {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        case "null", "~", "": return NSNull()
        default:
            if let integer = Int(scalar.string) { return integer }
            if let double = Double(scalar.string), scalar.string.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return double }
            return scalar.string
        }
    }

    /// The node as JSONSerialization values (scalars as strings), to write a subtree back as JSON.
    var plainValue: Any {
        if let entries { return Dictionary(entries.map { ($0.key, $0.value.plainValue) }, uniquingKeysWith: { $1 }) }
        if let elements { return elements.map(\.plainValue) }
        return scalar ?? ""
    }

    func diagnostic(_ message: String) -> ImportDiagnostic {
        ImportDiagnostic(location: location, line: line, message: message)
    }

    /// The node at a coding path from a decoder error (keys and `Index N` steps), as deep as it exists.
    func deepest(along keys: [String]) -> DocumentNode {
        var current = self
        for key in keys {
            if let next = current.child(key) {
                current = next
            } else if let elements = current.elements, let index = Int(key.replacingOccurrences(of: "Index ", with: "")),
                      elements.indices.contains(index) {
                current = elements[index]
            } else {
                break
            }
        }
        return current
    }
}
