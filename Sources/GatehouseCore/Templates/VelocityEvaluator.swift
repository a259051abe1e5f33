import Foundation

/// Runs a parsed template over one call's input. Bounded: a `#foreach` stops at 1,000 rounds (AWS's limit), a
/// render at a million steps and 10 MB of output, so no template can hold a worker thread or its memory.
struct VelocityEvaluator {
    let input: TemplateInput
    private var variables: [String: TemplateValue] = [:]
    private var output = ""
    private var steps = 0
    private var body: Result<TemplateValue, TemplateError>?
    private lazy var contextValue: TemplateValue = .nested(input.context)
    private lazy var stageVariablesValue: TemplateValue = .map(TemplateMap(input.stageVariables.keys.sorted().map { ($0, .string(input.stageVariables[$0] ?? "")) }))

    static let maxLoopRounds = 1_000
    static let maxSteps = 1_000_000
    static let maxOutputBytes = 10 * 1024 * 1024

    init(input: TemplateInput) {
        self.input = input
    }

    enum Flow { case normal, breakLoop, stop }

    mutating func render(_ nodes: [VelocityNode]) throws(TemplateError) -> String {
        output = ""
        _ = try run(nodes)
        return output
    }

    private mutating func run(_ nodes: [VelocityNode]) throws(TemplateError) -> Flow {
        for node in nodes {
            steps += 1
            if steps > Self.maxSteps { throw TemplateError(line: 1, column: 1, message: "the template ran more than \(Self.maxSteps) steps") }
            switch node {
            case .text(let text):
                try append(text, at: SourceLocation(line: 1, column: 1))
            case .reference(let reference):
                if let value = try value(of: reference) {
                    try append(value.rendered, at: reference.location)
                } else if !reference.quiet {
                    try append(reference.source, at: reference.location)
                }
            case .set(let target, let expression, let at):
                // As Velocity 1.7: a right side that is null leaves the variable as it was.
                guard let value = try evaluate(expression) else { continue }
                try assign(value, to: target, at: at)
            case .conditional(let branches, let otherwise):
                var taken: [VelocityNode]? = otherwise
                for (condition, body) in branches where try evaluate(condition)?.isTruthy ?? false {
                    taken = body
                    break
                }
                if let taken {
                    let flow = try run(taken)
                    if flow != .normal { return flow }
                }
            case .foreach(let variable, let expression, let body, let at):
                let items: [TemplateValue]
                switch try evaluate(expression) {
                case .list(let list)?: items = list
                case .map(let map)?: items = map.values
                default: items = []
                }
                if items.count > Self.maxLoopRounds {
                    throw TemplateError(line: at.line, column: at.column,
                                        message: "#foreach over \(items.count) items: more than the \(Self.maxLoopRounds) rounds a loop may run")
                }
                let saved = (variables[variable], variables["foreach"], variables["velocityCount"])
                defer {
                    variables[variable] = saved.0
                    variables["foreach"] = saved.1
                    variables["velocityCount"] = saved.2
                }
                var flow = Flow.normal
                for (index, item) in items.enumerated() {
                    variables[variable] = item
                    variables["velocityCount"] = .int(index + 1)
                    variables["foreach"] = .map(TemplateMap([
                        ("index", .int(index)), ("count", .int(index + 1)), ("hasNext", .bool(index + 1 < items.count)),
                        ("first", .bool(index == 0)), ("last", .bool(index + 1 == items.count)),
                    ]))
                    flow = try run(body)
                    if flow != .normal { break }
                }
                if flow == .stop { return .stop }
            case .breakLoop:
                return .breakLoop
            case .stop:
                return .stop
            }
        }
        return .normal
    }

    private mutating func append(_ text: String, at: SourceLocation) throws(TemplateError) {
        output += text
        if output.utf8.count > Self.maxOutputBytes {
            throw TemplateError(line: at.line, column: at.column, message: "the output is larger than \(Self.maxOutputBytes / 1024 / 1024) MB")
        }
    }

    // MARK: - References

    /// A step that can be written back to (a map key or a list index), for `#set($a.b = …)` and `$list.add(…)`.
    private enum PathKey {
        case key(String)
        case index(Int)
    }

    /// The value a reference holds, or nil for nothing (null).
    private mutating func value(of reference: VelocityReference) throws(TemplateError) -> TemplateValue? {
        var current: TemplateValue?
        var remaining = reference.steps[...]
        // The path from a variable, while the reference can still be written back to.
        var path: [PathKey]? = []
        if let variable = variables[reference.root] {
            current = variable
        } else {
            path = nil
            switch reference.root {
            case "context": current = contextValue
            case "stageVariables": current = stageVariablesValue
            case "input":
                guard let first = remaining.popFirst() else { return nil }
                current = try inputValue(first, at: reference.location)
            case "util":
                guard let first = remaining.popFirst() else { return nil }
                current = try utilValue(first, at: reference.location)
            default:
                return nil
            }
        }
        for step in remaining {
            guard let value = current, value != .null else { return nil }
            switch step {
            case .property(let name):
                if case .map(let map) = value {
                    current = map[name]
                    path?.append(.key(name))
                } else {
                    current = name == "empty" ? callMethod(value, "isEmpty", [])?.result : nil
                    path = nil
                }
            case .index(let expression):
                let index = try evaluate(expression)
                switch (value, index) {
                case (.list(let items), .int(let i)?):
                    let position = i < 0 ? items.count + i : i
                    current = items.indices.contains(position) ? items[position] : nil
                    path?.append(.index(position))
                case (.map(let map), let key?):
                    current = map[key.rendered]
                    path?.append(.key(key.rendered))
                default:
                    current = nil
                }
            case .method(let name, let argumentExpressions):
                var arguments: [TemplateValue] = []
                for expression in argumentExpressions { arguments.append(try evaluate(expression) ?? .null) }
                guard let outcome = callMethod(value, name, arguments) else { return nil }
                if let mutated = outcome.mutated, let path {
                    variables[reference.root] = Self.replacing(variables[reference.root] ?? .null, at: path[...], with: mutated)
                }
                current = outcome.result
                path = nil
            }
        }
        return current == .null ? nil : current
    }

    /// `root` with the value at `path` replaced (maps and lists made along the way where missing).
    private static func replacing(_ root: TemplateValue, at path: ArraySlice<PathKey>, with value: TemplateValue) -> TemplateValue {
        guard let first = path.first else { return value }
        switch (root, first) {
        case (.map(var map), .key(let key)):
            map[key] = replacing(map[key] ?? .null, at: path.dropFirst(), with: value)
            return .map(map)
        case (.list(var items), .index(let index)) where items.indices.contains(index):
            items[index] = replacing(items[index], at: path.dropFirst(), with: value)
            return .list(items)
        case (_, .key(let key)):
            var map = TemplateMap()
            map[key] = replacing(.null, at: path.dropFirst(), with: value)
            return .map(map)
        default:
            return root
        }
    }

    private mutating func assign(_ value: TemplateValue, to target: VelocityReference, at: SourceLocation) throws(TemplateError) {
        var path: [PathKey] = []
        for step in target.steps {
            switch step {
            case .property(let name): path.append(.key(name))
            case .index(let expression):
                switch try evaluate(expression) {
                case .int(let index)?: path.append(.index(index))
                case let key?: path.append(.key(key.rendered))
                case nil: throw TemplateError(line: at.line, column: at.column, message: "#set: the index in \(target.source) is null")
                }
            case .method:
                throw TemplateError(line: at.line, column: at.column, message: "#set cannot assign to a method call (\(target.source))")
            }
        }
        let root = variables[target.root] ?? (target.root == "context" ? contextValue : target.root == "stageVariables" ? stageVariablesValue : .null)
        variables[target.root] = Self.replacing(root, at: path[...], with: value)
    }

    // MARK: - $input and $util

    private mutating func parsedBody(at: SourceLocation) throws(TemplateError) -> TemplateValue {
        if body == nil {
            let text = input.body
            if text.allSatisfy(\.isWhitespace) {
                body = .success(.map(TemplateMap()))
            } else {
                do {
                    body = .success(try TemplateJSON.parse(text))
                } catch {
                    body = .failure(TemplateError(line: at.line, column: at.column, message: "the body is \(error.description)"))
                }
            }
        }
        switch body {
        case .success(let value)?: return value
        case .failure(let error)?: throw error
        case nil: return .null
        }
    }

    private mutating func jsonPath(_ arguments: [VelocityExpression], _ name: String, at: SourceLocation) throws(TemplateError) -> JSONPath {
        // The argument is evaluated as any other (as Velocity does; a path is a literal in every template AWS documents).
        guard arguments.count == 1 else { throw TemplateError(line: at.line, column: at.column, message: "$input.\(name)() takes one JSONPath") }
        guard let text = try evaluate(arguments[0]) else {
            throw TemplateError(line: at.line, column: at.column, message: "$input.\(name)(): the path is null")
        }
        do {
            return try JSONPath(text.rendered)
        } catch {
            throw TemplateError(line: at.line, column: at.column, message: error.description)
        }
    }

    private mutating func inputValue(_ step: VelocityReference.Step, at: SourceLocation) throws(TemplateError) -> TemplateValue? {
        switch step {
        case .property("body"):
            return .string(input.body)
        case .method("getBody", let arguments) where arguments.isEmpty:
            return .string(input.body)
        case .property("params"):
            return input.parameters
        case .method("params", let arguments):
            if arguments.isEmpty { return input.parameters }
            guard let name = try evaluate(arguments[0]) else { return .string("") }
            return .string(input.parameter(name.rendered))
        case .method("json", let arguments):
            let path = try jsonPath(arguments, "json", at: at)
            guard let found = path.evaluate(try parsedBody(at: at)) else { return .string("") }
            return .string(found.json)
        case .method("path", let arguments):
            let path = try jsonPath(arguments, "path", at: at)
            return path.evaluate(try parsedBody(at: at))
        default:
            return nil
        }
    }

    private mutating func utilValue(_ step: VelocityReference.Step, at: SourceLocation) throws(TemplateError) -> TemplateValue? {
        guard case .method(let name, let argumentExpressions) = step else { return nil }
        guard argumentExpressions.count == 1 else {
            throw TemplateError(line: at.line, column: at.column, message: "$util.\(name)() takes one argument, not \(argumentExpressions.count)")
        }
        guard let argument = try evaluate(argumentExpressions[0]) else { return nil }
        let text = argument.rendered
        func fail(_ message: String) -> TemplateError { TemplateError(line: at.line, column: at.column, message: "$util.\(name)(): \(message)") }
        switch name {
        case "escapeJavaScript":
            return .string(TemplateUtil.escapeJavaScript(text))
        case "parseJson":
            do {
                return try TemplateJSON.parse(text)
            } catch {
                throw fail("the text is \(error.description)")
            }
        case "urlEncode":
            return .string(TemplateUtil.urlEncode(text))
        case "urlDecode":
            guard let decoded = TemplateUtil.urlDecode(text) else { throw fail("'\(text)' is not URL-encoded (a '%' without two hex digits)") }
            return .string(decoded)
        case "base64Encode":
            return .string(Data(text.utf8).base64EncodedString())
        case "base64Decode":
            guard let data = Data(base64Encoded: text, options: [.ignoreUnknownCharacters]) else { throw fail("the text is not base64") }
            return .string(String(decoding: data, as: UTF8.self))
        default:
            throw TemplateError(line: at.line, column: at.column,
                                message: "$util has no \(name)() (it has escapeJavaScript, parseJson, urlEncode, urlDecode, base64Encode and base64Decode)")
        }
    }

    // MARK: - Methods on values

    /// A Java method on a value: its result and, for `add` / `put` / `remove`, the changed value to write back.
    /// Nil when the value has no such method (Velocity then writes the reference as it is).
    private func callMethod(_ value: TemplateValue, _ name: String, _ arguments: [TemplateValue]) -> (result: TemplateValue?, mutated: TemplateValue?)? {
        func result(_ value: TemplateValue?) -> (result: TemplateValue?, mutated: TemplateValue?) { (value, nil) }
        if name == "toString", arguments.isEmpty { return result(.string(value.rendered)) }
        if name == "equals", arguments.count == 1 { return result(.bool(Self.equal(value, arguments[0]))) }
        switch value {
        case .string(let text):
            return TemplateUtil.stringMethod(text, name, arguments).map { result($0) }
        case .list(var items):
            switch (name, arguments.count) {
            case ("size", 0): return result(.int(items.count))
            case ("isEmpty", 0): return result(.bool(items.isEmpty))
            case ("get", 1):
                guard case .int(let index) = arguments[0], items.indices.contains(index) else { return result(nil) }
                return result(items[index])
            case ("contains", 1): return result(.bool(items.contains { Self.equal($0, arguments[0]) }))
            case ("indexOf", 1): return result(.int(items.firstIndex { Self.equal($0, arguments[0]) } ?? -1))
            case ("add", 1):
                items.append(arguments[0])
                return (.bool(true), .list(items))
            case ("addAll", 1):
                guard case .list(let more) = arguments[0] else { return nil }
                items.append(contentsOf: more)
                return (.bool(true), .list(items))
            case ("remove", 1):
                guard case .int(let index) = arguments[0], items.indices.contains(index) else { return result(nil) }
                let removed = items.remove(at: index)
                return (removed, .list(items))
            default: return nil
            }
        case .map(var map):
            switch (name, arguments.count) {
            case ("size", 0): return result(.int(map.count))
            case ("isEmpty", 0): return result(.bool(map.count == 0))
            case ("get", 1): return result(map[arguments[0].rendered])
            case ("containsKey", 1): return result(.bool(map[arguments[0].rendered] != nil))
            case ("keySet", 0): return result(.list(map.keys.map(TemplateValue.string)))
            case ("values", 0): return result(.list(map.values))
            case ("entrySet", 0):
                return result(.list(map.pairs.map { .map(TemplateMap([("key", .string($0.key)), ("value", $0.value)])) }))
            case ("put", 2):
                let previous = map[arguments[0].rendered]
                map[arguments[0].rendered] = arguments[1]
                return (previous, .map(map))
            case ("putAll", 1):
                guard case .map(let more) = arguments[0] else { return nil }
                for (key, item) in more.pairs { map[key] = item }
                return (nil, .map(map))
            case ("remove", 1):
                let previous = map[arguments[0].rendered]
                map[arguments[0].rendered] = nil
                return (previous, .map(map))
            default: return nil
            }
        case .int, .double:
            switch (name, arguments.count) {
            case ("intValue", 0), ("longValue", 0): return result(.int(Int(value.number ?? 0)))
            case ("doubleValue", 0), ("floatValue", 0): return result(.double(value.number ?? 0))
            default: return nil
            }
        case .bool(let flag):
            return name == "booleanValue" && arguments.isEmpty ? result(.bool(flag)) : nil
        case .null:
            return nil
        }
    }

    // MARK: - Expressions

    /// An expression's value; nil for null.
    mutating func evaluate(_ expression: VelocityExpression) throws(TemplateError) -> TemplateValue? {
        switch expression {
        case .literal(let value):
            return value == .null ? nil : value
        case .interpolated(let nodes):
            let saved = output
            output = ""
            defer { output = saved }
            _ = try run(nodes)
            return .string(output)
        case .reference(let reference):
            return try value(of: reference)
        case .list(let items):
            var values: [TemplateValue] = []
            for item in items { values.append(try evaluate(item) ?? .null) }
            return .list(values)
        case .map(let pairs):
            var map = TemplateMap()
            for (key, value) in pairs {
                guard let key = try evaluate(key) else { continue }
                map[key.rendered] = try evaluate(value) ?? .null
            }
            return .map(map)
        case .range(let from, let to):
            guard case .int(let first)? = try evaluate(from), case .int(let last)? = try evaluate(to) else { return nil }
            guard abs(last - first) < Self.maxLoopRounds * 10 else { return nil }
            return .list(first <= last ? (first...last).map(TemplateValue.int) : (last...first).reversed().map(TemplateValue.int))
        case .not(let inner):
            return .bool(!(try evaluate(inner)?.isTruthy ?? false))
        case .negate(let inner):
            switch try evaluate(inner) {
            case .int(let n)?: return .int(-n)
            case .double(let d)?: return .double(-d)
            default: return nil
            }
        case .binary(let op, let left, let right, _):
            switch op {
            case .and:
                guard try evaluate(left)?.isTruthy ?? false else { return .bool(false) }
                return .bool(try evaluate(right)?.isTruthy ?? false)
            case .or:
                if try evaluate(left)?.isTruthy ?? false { return .bool(true) }
                return .bool(try evaluate(right)?.isTruthy ?? false)
            default:
                break
            }
            let a = try evaluate(left), b = try evaluate(right)
            switch op {
            case .equal: return .bool(Self.equal(a ?? .null, b ?? .null))
            case .notEqual: return .bool(!Self.equal(a ?? .null, b ?? .null))
            case .less, .lessOrEqual, .greater, .greaterOrEqual:
                guard let x = a?.number, let y = b?.number else { return .bool(false) }
                switch op {
                case .less: return .bool(x < y)
                case .lessOrEqual: return .bool(x <= y)
                case .greater: return .bool(x > y)
                default: return .bool(x >= y)
                }
            default:
                return Self.arithmetic(op, a, b)
            }
        }
    }

    /// Velocity's `==`: numbers by value, same kinds by value, otherwise their texts.
    static func equal(_ a: TemplateValue, _ b: TemplateValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        default:
            if let x = a.number, let y = b.number { return x == y }
            switch (a, b) {
            case (.string, .string), (.bool, .bool), (.list, .list), (.map, .map): return a == b
            default: return a.rendered == b.rendered
            }
        }
    }

    static func arithmetic(_ op: VelocityExpression.BinaryOperator, _ a: TemplateValue?, _ b: TemplateValue?) -> TemplateValue? {
        guard let a, let b else { return nil }
        if op == .add, case .string = a { return .string(a.rendered + b.rendered) }
        if op == .add, case .string = b { return .string(a.rendered + b.rendered) }
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .add: let (sum, overflow) = x.addingReportingOverflow(y); return overflow ? .double(Double(x) + Double(y)) : .int(sum)
            case .subtract: let (difference, overflow) = x.subtractingReportingOverflow(y); return overflow ? .double(Double(x) - Double(y)) : .int(difference)
            case .multiply: let (product, overflow) = x.multipliedReportingOverflow(by: y); return overflow ? .double(Double(x) * Double(y)) : .int(product)
            case .divide: return y == 0 ? nil : .int(x / y)
            case .modulo: return y == 0 ? nil : .int(x % y)
            default: return nil
            }
        }
        guard let x = a.number, let y = b.number else { return nil }
        switch op {
        case .add: return .double(x + y)
        case .subtract: return .double(x - y)
        case .multiply: return .double(x * y)
        case .divide: return y == 0 ? nil : .double(x / y)
        case .modulo: return y == 0 ? nil : .double(x.truncatingRemainder(dividingBy: y))
        default: return nil
        }
    }
}
