import Foundation
import Yams

/// An ordered JSON/YAML value, so an export writes keys in a stable, readable order in either format.
public indirect enum DocValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    case array([DocValue])
    case object([(String, DocValue)])

    /// A JSONSerialization value as a DocValue, object keys sorted.
    public static func from(json value: Any) -> DocValue {
        switch value {
        case let text as String: return .string(text)
        case is NSNull: return .null
        // JSONSerialization's booleans are NSNumbers of their own class (and `1 is Bool` holds): told apart by it.
        case let flag as Bool where type(of: value) == Bool.self || type(of: value) == Self.booleanClass: return .bool(flag)
        case let number as NSNumber:
            if let integer = value as? Int, Double(integer) == number.doubleValue { return .int(integer) }
            return .double(number.doubleValue)
        case let list as [Any]: return .array(list.map(from(json:)))
        case let map as [String: Any]: return .object(map.keys.sorted().map { ($0, from(json: map[$0] ?? "")) })
        default: return .string("\(value)")
        }
    }

    /// The class JSONSerialization gives booleans.
    public static let booleanClass = type(of: NSNumber(value: true) as Any)

    public static func == (lhs: DocValue, rhs: DocValue) -> Bool {
        switch (lhs, rhs) {
        case let (.double(a), .double(b)): return a == b
        case (.null, .null): return true
        case let (.string(a), .string(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: return false
        }
    }

    /// Pretty JSON with two-space indentation.
    public func json(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1), close = String(repeating: "  ", count: indent)
        switch self {
        case .string(let s): return Self.quote(s)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.json(indent: indent + 1) }.joined(separator: ",\n") + "\n\(close)]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            return "{\n" + pairs.map { "\(pad)\(Self.quote($0.0)): \($0.1.json(indent: indent + 1))" }.joined(separator: ",\n") + "\n\(close)}"
        }
    }

    /// YAML, strings quoted where a plain scalar would read back as another type.
    public func yaml() throws -> String {
        try Yams.serialize(node: node, width: -1, allowUnicode: true)
    }

    var node: Node {
        switch self {
        case .string(let s): return Node(s, Tag(.str), Self.needsQuotes(s) ? .doubleQuoted : .any)
        case .int(let i): return Node(String(i), Tag(.int))
        case .double(let d): return Node(String(d), Tag(.float))
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .array(let items): return Node(items.map(\.node))
        case .object(let pairs): return Node(pairs.map { (Node($0.0, Tag(.str), Self.needsQuotes($0.0) ? .doubleQuoted : .any), $0.1.node) })
        }
    }

    static func needsQuotes(_ s: String) -> Bool {
        if s.isEmpty { return true }
        if Int(s) != nil || Double(s) != nil { return true }
        return ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"].contains(s.lowercased())
    }

    /// `s` as a JSON string literal, quotes included.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
