import Foundation

/// Checks JSON values against an API's models, JSON Schema draft 4 as AWS's request validation uses it: `type`,
/// `enum`, `properties`, `required`, `additionalProperties`, `items`, `minItems`/`maxItems`, `uniqueItems`,
/// `minLength`/`maxLength`, `pattern`, `minimum`/`maximum` (with draft 4's boolean `exclusive…`), `multipleOf`,
/// `minProperties`/`maxProperties`, `allOf`/`anyOf`/`oneOf`/`not`, and `$ref` between models. Schemas are parsed
/// and patterns compiled once, when a configuration is compiled; a request only walks them.
public final class JSONSchemaValidator: @unchecked Sendable {
    // Immutable after init; NSRegularExpression matching is safe from several threads.
    private let models: [String: [String: Any]]
    private let patterns: [String: NSRegularExpression]

    /// `models`: name → schema JSON text (refs as `#/components/schemas/NAME` or `#/definitions/NAME`).
    public init(models: [String: String]) {
        var parsed: [String: [String: Any]] = [:]
        for (name, text) in models {
            if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] { parsed[name] = object }
        }
        self.models = parsed
        var patterns: [String: NSRegularExpression] = [:]
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                if let pattern = object["pattern"] as? String, patterns[pattern] == nil {
                    patterns[pattern] = try? NSRegularExpression(pattern: pattern)
                }
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        parsed.values.forEach(collect)
        self.patterns = patterns
    }

    public func hasModel(_ name: String) -> Bool { models[name] != nil }

    /// Nil when `value` conforms to the model `name`; else the first reason, with where (`$.items[2].sku: …`).
    public func problem(with value: Any, model name: String) -> String? {
        guard let schema = models[name] else { return "the model \(name) does not exist" }
        return check(value, schema, at: "$", depth: 0)
    }


    static func isBool(_ value: Any) -> Bool { type(of: value) == Bool.self || type(of: value) == DocValue.booleanClass }

    static func number(_ value: Any) -> Double? {
        guard !isBool(value), let number = value as? NSNumber else { return nil }
        return number.doubleValue
    }

    static func jsonType(_ value: Any) -> String {
        if value is NSNull { return "null" }
        if isBool(value) { return "boolean" }
        if let number = number(value) { return number == number.rounded() && abs(number) < 9e15 ? "integer" : "number" }
        if value is String { return "string" }
        if value is [Any] { return "array" }
        if value is [String: Any] { return "object" }
        return "unknown"
    }

    private func resolve(_ schema: [String: Any]) -> [String: Any]? {
        guard let ref = schema["$ref"] as? String else { return schema }
        for prefix in ["#/components/schemas/", "#/definitions/"] where ref.hasPrefix(prefix) {
            return models[String(ref.dropFirst(prefix.count))]
        }
        return nil
    }

    private func check(_ value: Any, _ rawSchema: [String: Any], at path: String, depth: Int) -> String? {
        guard depth < 64 else { return "\(path): the schema nests too deeply (a $ref cycle?)" }
        guard let schema = resolve(rawSchema) else { return "\(path): the schema's $ref \(rawSchema["$ref"] ?? "") is not a model of the API" }
        // A reference stands for the model it names (draft 4 ignores what sits beside `$ref`).
        if rawSchema["$ref"] != nil { return check(value, schema, at: path, depth: depth + 1) }
        let type = Self.jsonType(value)
        if let expected = schema["type"] {
            let allowed = (expected as? [String]) ?? [(expected as? String) ?? ""]
            let matches = allowed.contains(type) || (type == "integer" && allowed.contains("number"))
            if !matches { return "\(path): expected \(allowed.joined(separator: " or ")), got \(type)" }
        }
        if let options = schema["enum"] as? [Any], !options.contains(where: { Self.equal($0, value) }) {
            return "\(path): not one of the allowed values"
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            guard let list = schema[key] as? [[String: Any]] else { continue }
            let failures = list.map { check(value, $0, at: path, depth: depth + 1) }
            let passed = failures.filter { $0 == nil }.count
            switch key {
            case "allOf": if let first = failures.compactMap({ $0 }).first { return first }
            case "anyOf": if passed == 0 { return "\(path): matches none of anyOf" }
            default: if passed != 1 { return "\(path): matches \(passed) of oneOf, not exactly one" }
            }
        }
        if let not = schema["not"] as? [String: Any], check(value, not, at: path, depth: depth + 1) == nil {
            return "\(path): matches a schema it must not"
        }
        if let number = Self.number(value) {
            if let minimum = schema["minimum"].flatMap(Self.number) {
                let exclusive = (schema["exclusiveMinimum"]).map(Self.isBool) == true && (schema["exclusiveMinimum"] as? Bool) == true
                if exclusive ? number <= minimum : number < minimum { return "\(path): \(number) is below the minimum \(minimum)" }
            }
            if let maximum = schema["maximum"].flatMap(Self.number) {
                let exclusive = (schema["exclusiveMaximum"]).map(Self.isBool) == true && (schema["exclusiveMaximum"] as? Bool) == true
                if exclusive ? number >= maximum : number > maximum { return "\(path): \(number) is above the maximum \(maximum)" }
            }
            if let step = schema["multipleOf"].flatMap(Self.number), step > 0 {
                let ratio = number / step
                if abs(ratio - ratio.rounded()) > 1e-9 { return "\(path): \(number) is not a multiple of \(step)" }
            }
        }
        if let text = value as? String {
            let length = text.count
            if let minimum = schema["minLength"].flatMap(Self.number), Double(length) < minimum { return "\(path): shorter than \(Int(minimum)) characters" }
            if let maximum = schema["maxLength"].flatMap(Self.number), Double(length) > maximum { return "\(path): longer than \(Int(maximum)) characters" }
            if let pattern = schema["pattern"] as? String {
                guard let regex = patterns[pattern] else { return "\(path): the schema's pattern \(pattern) is not a valid regular expression" }
                if regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil { return "\(path): does not match \(pattern)" }
            }
        }
        if let array = value as? [Any] {
            if let minimum = schema["minItems"].flatMap(Self.number), Double(array.count) < minimum { return "\(path): fewer than \(Int(minimum)) items" }
            if let maximum = schema["maxItems"].flatMap(Self.number), Double(array.count) > maximum { return "\(path): more than \(Int(maximum)) items" }
            if (schema["uniqueItems"] as? Bool) == true {
                for (i, a) in array.enumerated() where array[(i + 1)...].contains(where: { Self.equal($0, a) }) { return "\(path): items are not unique" }
            }
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() {
                    if let problem = check(item, items, at: "\(path)[\(index)]", depth: depth + 1) { return problem }
                }
            } else if let tuple = schema["items"] as? [[String: Any]] {
                for (index, item) in array.enumerated() where index < tuple.count {
                    if let problem = check(item, tuple[index], at: "\(path)[\(index)]", depth: depth + 1) { return problem }
                }
            }
        }
        if let object = value as? [String: Any] {
            for name in (schema["required"] as? [String]) ?? [] where object[name] == nil {
                return "\(path): the required property '\(name)' is missing"
            }
            if let minimum = schema["minProperties"].flatMap(Self.number), Double(object.count) < minimum { return "\(path): fewer than \(Int(minimum)) properties" }
            if let maximum = schema["maxProperties"].flatMap(Self.number), Double(object.count) > maximum { return "\(path): more than \(Int(maximum)) properties" }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in object.keys.sorted() {
                guard let item = object[name] else { continue }
                if let property = properties[name] as? [String: Any] {
                    if let problem = check(item, property, at: "\(path).\(name)", depth: depth + 1) { return problem }
                } else if let additional = schema["additionalProperties"] {
                    if Self.isBool(additional), (additional as? Bool) == false { return "\(path): the property '\(name)' is not allowed" }
                    if let extra = additional as? [String: Any], let problem = check(item, extra, at: "\(path).\(name)", depth: depth + 1) { return problem }
                }
            }
        }
        return nil
    }

    /// JSON equality (numbers by value, objects by keys and values).
    static func equal(_ a: Any, _ b: Any) -> Bool {
        if a is NSNull || b is NSNull { return a is NSNull && b is NSNull }
        if isBool(a) || isBool(b) { return isBool(a) && isBool(b) && (a as? Bool) == (b as? Bool) }
        if let x = number(a), let y = number(b) { return x == y }
        if let x = a as? String, let y = b as? String { return x == y }
        if let x = a as? [Any], let y = b as? [Any] { return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) } }
        if let x = a as? [String: Any], let y = b as? [String: Any] {
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        }
        return false
    }
}
