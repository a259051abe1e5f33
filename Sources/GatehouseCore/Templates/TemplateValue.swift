import Foundation

/// A value inside a mapping template: what a Velocity reference holds — text, a number, a boolean, a list, a
/// map (JSON objects keep their member order, as the Java maps AWS's engine uses do) — or nothing.
public enum TemplateValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([TemplateValue])
    case map(TemplateMap)

    /// The text Velocity writes for the value (Java's `toString`: `[a, b]` for a list, `{k=v}` for a map).
    public var rendered: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return Self.javaDouble(number)
        case .string(let text): return text
        case .list(let items): return "[" + items.map(\.rendered).joined(separator: ", ") + "]"
        case .map(let map): return "{" + map.pairs.map { $0.key + "=" + $0.value.rendered }.joined(separator: ", ") + "}"
        }
    }

    /// The value as compact JSON (what `$input.json()` returns).
    public var json: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return number.isFinite ? Self.javaDouble(number) : "null"
        case .string(let text): return DocValue.quote(text)
        case .list(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case .map(let map): return "{" + map.pairs.map { DocValue.quote($0.key) + ":" + $0.value.json }.joined(separator: ",") + "}"
        }
    }

    /// Java's `Double.toString`: `1.0`, `0.5`, `1.0E21`.
    static func javaDouble(_ number: Double) -> String {
        guard number.isFinite else { return number.isNaN ? "NaN" : (number < 0 ? "-Infinity" : "Infinity") }
        let magnitude = abs(number)
        if magnitude >= 1e-3 && magnitude < 1e7 || number == 0 {
            let text = String(number)
            return text.contains(".") || text.contains("e") ? text : text + ".0"
        }
        var text = String(number)
        if let e = text.firstIndex(of: "e") {
            var mantissa = String(text[..<e])
            if !mantissa.contains(".") { mantissa += ".0" }
            var exponent = String(text[text.index(after: e)...])
            if exponent.hasPrefix("+") { exponent.removeFirst() }
            text = mantissa + "E" + exponent
        }
        return text
    }

    /// Velocity 1.7's truth: only null and `false` are false (an empty string is true).
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let flag): return flag
        default: return true
        }
    }

    /// The number, when the value is one.
    var number: Double? {
        switch self {
        case .int(let n): return Double(n)
        case .double(let d): return d
        default: return nil
        }
    }

    /// A value from `[String: String]`-style dotted names (`authorizer.claims.sub`) as nested maps.
    public static func nested(_ flat: [String: String]) -> TemplateValue {
        var root = TemplateMap()
        for key in flat.keys.sorted() {
            guard let value = flat[key] else { continue }
            root.insert(path: key.split(separator: ".", omittingEmptySubsequences: false).map(String.init), value: .string(value))
        }
        return .map(root)
    }
}

/// A map that keeps its keys in insertion order (a JSON object's member order), as Java's `LinkedHashMap`.
public struct TemplateMap: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var storage: [String: TemplateValue] = [:]

    public init() {}

    public init(_ pairs: [(String, TemplateValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var count: Int { keys.count }
    public var pairs: [(key: String, value: TemplateValue)] { keys.map { ($0, storage[$0] ?? .null) } }
    public var values: [TemplateValue] { keys.map { storage[$0] ?? .null } }

    /// Sets a value under a dotted path, making the maps between; a name that is both a value and a prefix keeps the map.
    mutating func insert(path: [String], value: TemplateValue) {
        guard let first = path.first else { return }
        if path.count == 1 {
            if case .map = self[first] { return }
            self[first] = value
            return
        }
        var child: TemplateMap
        if case .map(let existing) = self[first] { child = existing } else { child = TemplateMap() }
        child.insert(path: Array(path.dropFirst()), value: value)
        self[first] = .map(child)
    }
}
