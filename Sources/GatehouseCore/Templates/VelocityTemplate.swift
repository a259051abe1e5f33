/// A mapping template (Apache Velocity, the subset AWS's reference describes) parsed once per configuration:
/// text, references (`$input.json('$')`, `$!name`, `${name}`), `#set`, `#if` / `#elseif` / `#else`, `#foreach`,
/// `#break`, `#stop` and comments. Rendering walks the parsed tree; it never parses again.
public struct VelocityTemplate: Sendable {
    let nodes: [VelocityNode]
    /// The template's text, for the execution log.
    public let source: String
    /// Whether rendering can only ever give the template's own text (no reference, no directive).
    public let isStatic: Bool

    /// Parses `source`; a mistake is reported with its line and column.
    public init(_ source: String) throws(TemplateError) {
        var parser = VelocityParser(source)
        nodes = try parser.parseTemplate()
        self.source = source
        isStatic = nodes.allSatisfy { if case .text = $0 { return true }; return false }
    }

    /// The text of a template that has no references or directives.
    public var staticText: String? {
        guard isStatic else { return nil }
        return nodes.map { if case .text(let text) = $0 { return text }; return "" }.joined()
    }

    /// Renders the template over one call's input.
    public func render(_ input: TemplateInput) throws(TemplateError) -> String {
        var evaluator = VelocityEvaluator(input: input)
        return try evaluator.render(nodes)
    }
}

/// A template that cannot be parsed or could not be rendered: where (line and column, from 1) and why.
public struct TemplateError: Error, CustomStringConvertible, Equatable {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// Where a node sits in its template, for errors.
struct SourceLocation: Sendable {
    let line: Int
    let column: Int
}

indirect enum VelocityNode: Sendable {
    case text(String)
    case reference(VelocityReference)
    case set(VelocityReference, VelocityExpression, SourceLocation)
    case conditional([(VelocityExpression, [VelocityNode])], otherwise: [VelocityNode]?)
    case foreach(variable: String, items: VelocityExpression, body: [VelocityNode], SourceLocation)
    case breakLoop
    case stop
}

/// `$root.a.b('x')[0]` as written: its root name, each step, whether it is quiet (`$!`), and its source text
/// (what Velocity writes for a reference that holds nothing).
struct VelocityReference: Sendable {
    enum Step: Sendable {
        case property(String)
        case method(String, [VelocityExpression])
        case index(VelocityExpression)
    }

    let root: String
    let steps: [Step]
    let quiet: Bool
    let source: String
    let location: SourceLocation
}

indirect enum VelocityExpression: Sendable {
    case literal(TemplateValue)
    /// A double-quoted string: rendered as a template of its own.
    case interpolated([VelocityNode])
    case reference(VelocityReference)
    case list([VelocityExpression])
    case map([(VelocityExpression, VelocityExpression)])
    case range(VelocityExpression, VelocityExpression)
    case not(VelocityExpression)
    case negate(VelocityExpression)
    case binary(BinaryOperator, VelocityExpression, VelocityExpression, SourceLocation)

    enum BinaryOperator: String, Sendable {
        case or, and, equal, notEqual, less, lessOrEqual, greater, greaterOrEqual, add, subtract, multiply, divide, modulo
    }
}
