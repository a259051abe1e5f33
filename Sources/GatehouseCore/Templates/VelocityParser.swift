/// Reads a Velocity template into nodes, with Velocity 1.7's whitespace rules (the engine AWS runs): `#set`
/// swallows the spaces before it, and a directive's closing `)`, `#else` and `#end` swallow the rest of their
/// line when nothing but spaces follows.
struct VelocityParser {
    let bytes: [UInt8]
    var position = 0
    /// How deep directives and expressions nest; a template nesting deeper is refused.
    var depth = 0
    static let maxDepth = 100

    /// Where each line starts, so a location is a binary search rather than a count from the top.
    let lineStarts: [Int]

    init(_ source: String) {
        bytes = Array(source.utf8)
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == 0x0A { starts.append(offset + 1) }
        lineStarts = starts
    }

    /// How a block ended: the end of the text, `#end`, `#else` or `#elseif(…)`.
    enum Terminator {
        case endOfText
        case end(SourceLocation)
        case otherwise(SourceLocation)
        case elseIf(VelocityExpression, SourceLocation)
    }

    mutating func parseTemplate() throws(TemplateError) -> [VelocityNode] {
        let (nodes, terminator) = try parseBlock()
        switch terminator {
        case .endOfText: return nodes
        case .end(let at): throw TemplateError(line: at.line, column: at.column, message: "#end without an #if or #foreach to close")
        case .otherwise(let at), .elseIf(_, let at):
            throw TemplateError(line: at.line, column: at.column, message: "#else or #elseif without an #if")
        }
    }

    // MARK: - Locations

    func location(_ offset: Int) -> SourceLocation {
        let offset = min(offset, bytes.count)
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let column = bytes[lineStarts[low]..<offset].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        return SourceLocation(line: low + 1, column: column)
    }

    func error(_ message: String, at offset: Int? = nil) -> TemplateError {
        let at = location(offset ?? position)
        return TemplateError(line: at.line, column: at.column, message: message)
    }

    func peek(_ offset: Int = 0) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    func starts(with text: String, at offset: Int) -> Bool {
        let expected = Array(text.utf8)
        return offset + expected.count <= bytes.count && Array(bytes[offset..<offset + expected.count]) == expected
    }

    static func isIdentifierStart(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_")
    }

    static func isIdentifierPart(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return isIdentifierStart(byte) || (byte >= 0x30 && byte <= 0x39)
    }

    /// An identifier at the position; Velocity 1.7 allows `-` inside one (`$stageVariables.api-url`).
    mutating func identifier() -> String? {
        guard Self.isIdentifierStart(peek()) else { return nil }
        let start = position
        while Self.isIdentifierPart(peek()) || (peek() == UInt8(ascii: "-") && Self.isIdentifierPart(peek(1))) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// After a directive: spaces then one line break are swallowed; spaces alone are kept.
    mutating func swallowLineEnd() {
        var end = position
        while end < bytes.count, bytes[end] == 0x20 || bytes[end] == 0x09 { end += 1 }
        if end < bytes.count, bytes[end] == 0x0A {
            position = end + 1
        } else if end < bytes.count, bytes[end] == 0x0D {
            position = end + 1
            if peek() == 0x0A { position += 1 }
        }
    }

    // MARK: - Blocks

    mutating func parseBlock() throws(TemplateError) -> ([VelocityNode], Terminator) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw error("directives nest more than \(Self.maxDepth) deep") }
        var nodes: [VelocityNode] = []
        var text: [UInt8] = []
        func flush() {
            if !text.isEmpty { nodes.append(.text(String(decoding: text, as: UTF8.self))) }
            text = []
        }
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: "\\") where peek(1) == UInt8(ascii: "$") || peek(1) == UInt8(ascii: "#"):
                // `\$name` and `\#if` are written as they are, without the backslash.
                text.append(bytes[position + 1])
                position += 2
            case UInt8(ascii: "$"):
                let start = position
                if let reference = try reference() {
                    flush()
                    nodes.append(.reference(reference))
                } else {
                    position = start + 1
                    text.append(byte)
                }
            case UInt8(ascii: "#"):
                let start = position
                if let outcome = try directive(trimming: &text) {
                    switch outcome {
                    case .node(let node):
                        flush()
                        nodes.append(node)
                    case .nothing:
                        break
                    case .terminator(let terminator):
                        flush()
                        return (nodes, terminator)
                    }
                } else {
                    position = start + 1
                    text.append(byte)
                }
            default:
                text.append(byte)
                position += 1
            }
        }
        flush()
        return (nodes, .endOfText)
    }

    enum DirectiveOutcome {
        case node(VelocityNode)
        case nothing
        case terminator(Terminator)
    }

    /// A directive or comment at `#`; nil when the `#` is plain text.
    mutating func directive(trimming text: inout [UInt8]) throws(TemplateError) -> DirectiveOutcome? {
        let start = position
        position += 1
        if peek() == UInt8(ascii: "#") {
            // A line comment: to the end of the line, line break included.
            while let byte = peek(), byte != 0x0A { position += 1 }
            if peek() == 0x0A { position += 1 }
            return .nothing
        }
        if peek() == UInt8(ascii: "*") {
            position += 1
            while position < bytes.count, !starts(with: "*#", at: position) { position += 1 }
            guard position < bytes.count else { throw error("a #* comment is not closed with *#", at: start) }
            position += 2
            return .nothing
        }
        if peek() == UInt8(ascii: "["), peek(1) == UInt8(ascii: "[") {
            position += 2
            let contentStart = position
            while position < bytes.count, !starts(with: "]]#", at: position) { position += 1 }
            guard position < bytes.count else { throw error("a #[[ literal is not closed with ]]#", at: start) }
            let literal = String(decoding: bytes[contentStart..<position], as: UTF8.self)
            position += 3
            return .node(.text(literal))
        }
        let braced = peek() == UInt8(ascii: "{")
        if braced { position += 1 }
        guard let name = identifier() else { return nil }
        if braced {
            guard peek() == UInt8(ascii: "}") else { return nil }
            position += 1
        }
        let at = location(start)
        switch name {
        case "set":
            while let last = text.last, last == 0x20 || last == 0x09 { text.removeLast() }
            try openParenthesis(name)
            let target = try expressionReference()
            skipSpace()
            guard peek() == UInt8(ascii: "=") else { throw error("#set needs '=' after \(target.source)") }
            position += 1
            let value = try expression()
            try closeParenthesis("#set")
            return .node(.set(target, value, at))
        case "if":
            try openParenthesis(name)
            let condition = try expression()
            try closeParenthesis("#if")
            var branches = [(condition, [VelocityNode]())]
            var otherwise: [VelocityNode]?
            while true {
                let (body, terminator) = try parseBlock()
                if otherwise != nil {
                    otherwise = body
                } else {
                    branches[branches.count - 1].1 = body
                }
                switch terminator {
                case .endOfText: throw TemplateError(line: at.line, column: at.column, message: "#if is not closed with #end")
                case .end: return .node(.conditional(branches, otherwise: otherwise))
                case .otherwise(let other):
                    guard otherwise == nil else { throw TemplateError(line: other.line, column: other.column, message: "a second #else in one #if") }
                    otherwise = []
                case .elseIf(let next, let other):
                    guard otherwise == nil else { throw TemplateError(line: other.line, column: other.column, message: "#elseif after #else") }
                    branches.append((next, []))
                }
            }
        case "elseif":
            try openParenthesis(name)
            let condition = try expression()
            try closeParenthesis("#elseif")
            return .terminator(.elseIf(condition, at))
        case "else":
            swallowLineEnd()
            return .terminator(.otherwise(at))
        case "end":
            swallowLineEnd()
            return .terminator(.end(at))
        case "foreach":
            try openParenthesis(name)
            skipSpace()
            guard peek() == UInt8(ascii: "$") else { throw error("#foreach needs a $variable") }
            position += 1
            guard let variable = identifier() else { throw error("#foreach needs a $variable") }
            skipSpace()
            guard starts(with: "in", at: position), !Self.isIdentifierPart(peek(2)) else { throw error("#foreach needs 'in' after $\(variable)") }
            position += 2
            let items = try expression()
            try closeParenthesis("#foreach")
            let (body, terminator) = try parseBlock()
            switch terminator {
            case .end: return .node(.foreach(variable: variable, items: items, body: body, at))
            case .endOfText: throw TemplateError(line: at.line, column: at.column, message: "#foreach is not closed with #end")
            case .otherwise(let other), .elseIf(_, let other):
                throw TemplateError(line: other.line, column: other.column, message: "#else inside #foreach without an #if")
            }
        case "break":
            return .node(.breakLoop)
        case "stop":
            return .node(.stop)
        default:
            // Not a directive Gatehouse knows (a macro call, or text such as a colour `#fff`): written as it is.
            return nil
        }
    }

    mutating func openParenthesis(_ name: String) throws(TemplateError) {
        while peek() == 0x20 || peek() == 0x09 { position += 1 }
        guard peek() == UInt8(ascii: "(") else { throw error("#\(name) needs '(' after it") }
        position += 1
    }

    mutating func closeParenthesis(_ name: String) throws(TemplateError) {
        skipSpace()
        guard peek() == UInt8(ascii: ")") else {
            throw error(peek() == nil ? "\(name)( is not closed with ')'" : "unexpected '\(Character(Unicode.Scalar(peek() ?? 0)))' in \(name)(…)")
        }
        position += 1
        swallowLineEnd()
    }

    // MARK: - References

    /// A reference at `$`; nil when what follows is not one (a lone `$`, `$1`, an unclosed `${`).
    mutating func reference() throws(TemplateError) -> VelocityReference? {
        let start = position
        position += 1
        let quiet = peek() == UInt8(ascii: "!")
        if quiet { position += 1 }
        let braced = peek() == UInt8(ascii: "{")
        if braced { position += 1 }
        guard let root = identifier() else { return nil }
        var steps: [VelocityReference.Step] = []
        while true {
            if peek() == UInt8(ascii: "."), Self.isIdentifierStart(peek(1)) {
                let before = position
                position += 1
                guard let name = identifier() else { position = before; break }
                if peek() == UInt8(ascii: "(") {
                    position += 1
                    steps.append(.method(name, try arguments(closing: UInt8(ascii: ")"))))
                } else {
                    steps.append(.property(name))
                }
            } else if peek() == UInt8(ascii: "[") {
                position += 1
                let index = try expression()
                skipSpace()
                guard peek() == UInt8(ascii: "]") else { throw error("an index is not closed with ']'") }
                position += 1
                steps.append(.index(index))
            } else {
                break
            }
        }
        if braced {
            guard peek() == UInt8(ascii: "}") else { return nil }
            position += 1
        }
        return VelocityReference(root: root, steps: steps, quiet: quiet, source: String(decoding: bytes[start..<position], as: UTF8.self),
                                 location: location(start))
    }

    mutating func arguments(closing: UInt8) throws(TemplateError) -> [VelocityExpression] {
        var items: [VelocityExpression] = []
        skipSpace()
        if peek() == closing { position += 1; return items }
        while true {
            items.append(try expression())
            skipSpace()
            if peek() == UInt8(ascii: ",") { position += 1; continue }
            guard peek() == closing else {
                throw error(peek() == nil ? "the text ends inside an argument list" : "expected ',' or '\(Character(Unicode.Scalar(closing)))'")
            }
            position += 1
            return items
        }
    }

    /// A reference where an expression needs one (`#set`'s target).
    mutating func expressionReference() throws(TemplateError) -> VelocityReference {
        skipSpace()
        let start = position
        guard peek() == UInt8(ascii: "$"), let reference = try reference() else { throw error("expected a $reference", at: start) }
        return reference
    }

    // MARK: - Expressions

    mutating func skipSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    mutating func expression() throws(TemplateError) -> VelocityExpression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw error("an expression nests more than \(Self.maxDepth) deep") }
        return try orExpression()
    }

    /// The operator at the position, if it is one of `symbols` or `words` (`and`, `eq` …), consumed.
    mutating func operatorToken(_ symbols: [String: VelocityExpression.BinaryOperator],
                                _ words: [String: VelocityExpression.BinaryOperator] = [:]) -> VelocityExpression.BinaryOperator? {
        skipSpace()
        for (symbol, op) in symbols.sorted(by: { $0.key.count > $1.key.count }) where starts(with: symbol, at: position) {
            // `=` alone is not `==`, `<` is not `<=` (longest first); `!` must not be `!=` here.
            position += symbol.utf8.count
            return op
        }
        for (word, op) in words where starts(with: word, at: position) && !Self.isIdentifierPart(peek(word.utf8.count)) {
            position += word.utf8.count
            return op
        }
        return nil
    }

    mutating func orExpression() throws(TemplateError) -> VelocityExpression {
        var left = try andExpression()
        while true {
            let at = location(position)
            guard let op = operatorToken(["||": .or], ["or": .or]) else { return left }
            left = .binary(op, left, try andExpression(), at)
        }
    }

    mutating func andExpression() throws(TemplateError) -> VelocityExpression {
        var left = try equality()
        while true {
            let at = location(position)
            guard let op = operatorToken(["&&": .and], ["and": .and]) else { return left }
            left = .binary(op, left, try equality(), at)
        }
    }

    mutating func equality() throws(TemplateError) -> VelocityExpression {
        var left = try relation()
        while true {
            let at = location(position)
            guard let op = operatorToken(["==": .equal, "!=": .notEqual], ["eq": .equal, "ne": .notEqual]) else { return left }
            left = .binary(op, left, try relation(), at)
        }
    }

    mutating func relation() throws(TemplateError) -> VelocityExpression {
        var left = try additive()
        while true {
            let at = location(position)
            guard let op = operatorToken(["<=": .lessOrEqual, ">=": .greaterOrEqual, "<": .less, ">": .greater],
                                         ["le": .lessOrEqual, "ge": .greaterOrEqual, "lt": .less, "gt": .greater]) else { return left }
            left = .binary(op, left, try additive(), at)
        }
    }

    mutating func additive() throws(TemplateError) -> VelocityExpression {
        var left = try multiplicative()
        while true {
            let at = location(position)
            guard let op = operatorToken(["+": .add, "-": .subtract]) else { return left }
            left = .binary(op, left, try multiplicative(), at)
        }
    }

    mutating func multiplicative() throws(TemplateError) -> VelocityExpression {
        var left = try unary()
        while true {
            let at = location(position)
            guard let op = operatorToken(["*": .multiply, "/": .divide, "%": .modulo]) else { return left }
            left = .binary(op, left, try unary(), at)
        }
    }

    mutating func unary() throws(TemplateError) -> VelocityExpression {
        skipSpace()
        if peek() == UInt8(ascii: "!"), peek(1) != UInt8(ascii: "=") {
            position += 1
            return .not(try unary())
        }
        if starts(with: "not", at: position), !Self.isIdentifierPart(peek(3)) {
            position += 3
            return .not(try unary())
        }
        if peek() == UInt8(ascii: "-"), !(peek(1).map { $0 >= 0x30 && $0 <= 0x39 } ?? false) {
            position += 1
            return .negate(try unary())
        }
        return try primary()
    }

    mutating func primary() throws(TemplateError) -> VelocityExpression {
        skipSpace()
        guard let byte = peek() else { throw error("the text ends where a value should be") }
        switch byte {
        case UInt8(ascii: "$"):
            let start = position
            guard let reference = try reference() else { throw error("expected a $reference", at: start) }
            return .reference(reference)
        case UInt8(ascii: "\""):
            return try doubleQuoted()
        case UInt8(ascii: "'"):
            position += 1
            let start = position
            while let next = peek(), next != UInt8(ascii: "'") { position += 1 }
            guard peek() != nil else { throw error("a '…' string is not closed", at: start - 1) }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            position += 1
            return .literal(.string(text))
        case UInt8(ascii: "("):
            position += 1
            let inner = try expression()
            skipSpace()
            guard peek() == UInt8(ascii: ")") else { throw error("'(' is not closed with ')'") }
            position += 1
            return inner
        case UInt8(ascii: "["):
            position += 1
            skipSpace()
            if peek() == UInt8(ascii: "]") { position += 1; return .list([]) }
            let first = try expression()
            skipSpace()
            if starts(with: "..", at: position) {
                position += 2
                let last = try expression()
                skipSpace()
                guard peek() == UInt8(ascii: "]") else { throw error("a range is not closed with ']'") }
                position += 1
                return .range(first, last)
            }
            var items = [first]
            while peek() == UInt8(ascii: ",") {
                position += 1
                items.append(try expression())
                skipSpace()
            }
            guard peek() == UInt8(ascii: "]") else { throw error("a list is not closed with ']'") }
            position += 1
            return .list(items)
        case UInt8(ascii: "{"):
            position += 1
            var pairs: [(VelocityExpression, VelocityExpression)] = []
            skipSpace()
            if peek() == UInt8(ascii: "}") { position += 1; return .map(pairs) }
            while true {
                let key = try expression()
                skipSpace()
                guard peek() == UInt8(ascii: ":") else { throw error("a map entry needs ':' between its key and value") }
                position += 1
                pairs.append((key, try expression()))
                skipSpace()
                if peek() == UInt8(ascii: ",") { position += 1; continue }
                guard peek() == UInt8(ascii: "}") else { throw error("a map is not closed with '}'") }
                position += 1
                return .map(pairs)
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = position
            position += 1
            while let next = peek(), next >= 0x30 && next <= 0x39 { position += 1 }
            if peek() == UInt8(ascii: "."), let after = peek(1), after >= 0x30 && after <= 0x39 {
                position += 1
                while let next = peek(), next >= 0x30 && next <= 0x39 { position += 1 }
                let text = String(decoding: bytes[start..<position], as: UTF8.self)
                guard let number = Double(text) else { throw error("'\(text)' is not a number", at: start) }
                return .literal(.double(number))
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            guard let number = Int(text) else { throw error("'\(text)' is not a number", at: start) }
            return .literal(.int(number))
        default:
            let start = position
            if let word = identifier() {
                switch word {
                case "true": return .literal(.bool(true))
                case "false": return .literal(.bool(false))
                case "null": return .literal(.null)
                default: throw error("'\(word)' is not a value (a reference starts with '$', text goes in quotes)", at: start)
                }
            }
            throw error("unexpected '\(Character(Unicode.Scalar(byte)))'")
        }
    }

    /// A double-quoted string: its text is a template of its own (`"Hello $name"`); `\"` and `""` are a quote.
    mutating func doubleQuoted() throws(TemplateError) -> VelocityExpression {
        let start = position
        position += 1
        var content: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("a \"…\" string is not closed", at: start) }
            if byte == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "\"") {
                content.append(UInt8(ascii: "\""))
                position += 2
            } else if byte == UInt8(ascii: "\"") {
                if peek(1) == UInt8(ascii: "\"") {
                    content.append(byte)
                    position += 2
                    continue
                }
                position += 1
                break
            } else {
                content.append(byte)
                position += 1
            }
        }
        let text = String(decoding: content, as: UTF8.self)
        guard content.contains(UInt8(ascii: "$")) || content.contains(UInt8(ascii: "#")) else { return .literal(.string(text)) }
        var inner = VelocityParser(text)
        inner.depth = depth
        do {
            return .interpolated(try inner.parseTemplate())
        } catch {
            let at = location(start)
            throw TemplateError(line: at.line + error.line - 1, column: error.line == 1 ? at.column + error.column : error.column,
                                message: error.message)
        }
    }
}
