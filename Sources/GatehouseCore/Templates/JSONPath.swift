import Foundation

/// The JSONPath that `$input.path()` and `$input.json()` take: `$`, `.name`, `['name']`, `[n]` (negative from the
/// end), `[*]` / `.*`, `..name` and `[a,b]` unions. A path without a wildcard, descent or union names one value;
/// with one it names a list, as Jayway JsonPath (AWS's engine) answers.
public struct JSONPath: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        case member(String)
        case index(Int)
        case wildcard
        case descendant(String?)
        case union([Step])
    }

    let steps: [Step]

    /// Why a path cannot be read.
    public struct SyntaxError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "the JSONPath '\(path)' \(reason)" }
    }

    public init(_ text: String) throws(SyntaxError) {
        let chars = Array(text.trimmingCharacters(in: .whitespaces))
        func fail(_ reason: String) -> SyntaxError { SyntaxError(path: text, reason: reason) }
        guard chars.first == "$" else { throw fail("must start with '$'") }
        var i = 1
        var steps: [Step] = []
        func name() -> String {
            let start = i
            while i < chars.count, chars[i] != ".", chars[i] != "[" { i += 1 }
            return String(chars[start..<i])
        }
        func bracket() throws(SyntaxError) -> Step {
            i += 1
            var parts: [Step] = []
            while true {
                while i < chars.count, chars[i] == " " { i += 1 }
                guard i < chars.count else { throw fail("has an unclosed '['") }
                if chars[i] == "'" || chars[i] == "\"" {
                    let quote = chars[i]
                    i += 1
                    let start = i
                    while i < chars.count, chars[i] != quote { i += 1 }
                    guard i < chars.count else { throw fail("has an unclosed quote") }
                    parts.append(.member(String(chars[start..<i])))
                    i += 1
                } else if chars[i] == "*" {
                    parts.append(.wildcard)
                    i += 1
                } else {
                    let start = i
                    if chars[i] == "-" { i += 1 }
                    while i < chars.count, chars[i].isNumber { i += 1 }
                    guard let index = Int(String(chars[start..<i])) else {
                        throw fail("has '\(String(chars[start..<min(i + 1, chars.count)]))' where an index, '*' or a quoted name should be (filters are not supported)")
                    }
                    parts.append(.index(index))
                }
                while i < chars.count, chars[i] == " " { i += 1 }
                guard i < chars.count else { throw fail("has an unclosed '['") }
                if chars[i] == "," { i += 1; continue }
                guard chars[i] == "]" else { throw fail("has '\(chars[i])' inside brackets") }
                i += 1
                return parts.count == 1 ? parts[0] : .union(parts)
            }
        }
        while i < chars.count {
            if chars[i] == "." {
                i += 1
                if i < chars.count, chars[i] == "." {
                    i += 1
                    if i < chars.count, chars[i] == "[" {
                        let step = try bracket()
                        guard case .member(let member) = step else { throw fail("uses '..[…]' with something other than a name") }
                        steps.append(.descendant(member))
                    } else if i < chars.count, chars[i] == "*" {
                        i += 1
                        steps.append(.descendant(nil))
                    } else {
                        let member = name()
                        guard !member.isEmpty else { throw fail("has '..' without a name") }
                        steps.append(.descendant(member))
                    }
                } else if i < chars.count, chars[i] == "*" {
                    i += 1
                    steps.append(.wildcard)
                } else {
                    let member = name()
                    guard !member.isEmpty else { throw fail("has an empty name after '.'") }
                    steps.append(.member(member))
                }
            } else if chars[i] == "[" {
                steps.append(try bracket())
            } else {
                throw fail("has '\(chars[i])' where '.' or '[' should be")
            }
        }
        self.steps = steps
    }

    /// Whether the path names one value (no wildcard, descent or union).
    public var isDefinite: Bool {
        steps.allSatisfy { if case .member = $0 { return true }; if case .index = $0 { return true }; return false }
    }

    /// The value the path names in `root`: one value (nil when it is not there) or, for an indefinite path, the list of matches.
    public func evaluate(_ root: TemplateValue) -> TemplateValue? {
        var current: [TemplateValue] = [root]
        for step in steps { current = current.flatMap { Self.apply(step, to: $0) } }
        if isDefinite { return current.first }
        return .list(current)
    }

    static func apply(_ step: Step, to value: TemplateValue) -> [TemplateValue] {
        switch step {
        case .member(let name):
            if case .map(let map) = value, let found = map[name] { return [found] }
            return []
        case .index(let index):
            guard case .list(let items) = value else { return [] }
            let position = index < 0 ? items.count + index : index
            return items.indices.contains(position) ? [items[position]] : []
        case .wildcard:
            switch value {
            case .map(let map): return map.values
            case .list(let items): return items
            default: return []
            }
        case .union(let parts):
            return parts.flatMap { apply($0, to: value) }
        case .descendant(let name):
            var found: [TemplateValue] = []
            func walk(_ node: TemplateValue) {
                switch node {
                case .map(let map):
                    for (key, child) in map.pairs {
                        if name == nil || key == name { found.append(child) }
                        walk(child)
                    }
                case .list(let items):
                    for child in items {
                        if name == nil { found.append(child) }
                        walk(child)
                    }
                default: break
                }
            }
            walk(value)
            return found
        }
    }
}
