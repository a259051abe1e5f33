import Foundation

/// `$util`'s text functions and the Java string methods templates call, with Java's exact output (AWS's
/// engine is Java: `escapeJavaScript` escapes `'` and `/`, `urlEncode` writes a space as `+`).
enum TemplateUtil {
    /// commons-lang's `StringEscapeUtils.escapeJavaScript`.
    static func escapeJavaScript(_ text: String) -> String {
        var out = ""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x27: out += "\\'"
            case 0x5C: out += "\\\\"
            case 0x2F: out += "\\/"
            case 0x08: out += "\\b"
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0C: out += "\\f"
            case 0x0D: out += "\\r"
            case 0..<0x20, 0x7F...:
                out += "\\u" + String(format: "%04X", unit)
            default:
                out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            }
        }
        return out
    }

    /// `java.net.URLEncoder.encode(text, "UTF-8")`.
    static func urlEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "_"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `java.net.URLDecoder.decode(text, "UTF-8")`; nil for a `%` without two hex digits.
    static func urlDecode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A `java.lang.String` method; nil when there is no such method (or the arguments do not fit it).
    static func stringMethod(_ text: String, _ name: String, _ arguments: [TemplateValue]) -> TemplateValue? {
        let units = Array(text.utf16)
        func string(_ slice: ArraySlice<UInt16>) -> TemplateValue { .string(String(decoding: slice, as: UTF16.self)) }
        func argument(_ i: Int) -> String { arguments[i].rendered }
        func integer(_ i: Int) -> Int? { if case .int(let n) = arguments[i] { return n }; return nil }
        func indexOf(_ needle: String, from start: Int = 0, last: Bool = false) -> Int {
            let target = Array(needle.utf16)
            guard target.count <= units.count else { return -1 }
            let positions = Array(max(0, start)...(units.count - target.count))
            for position in last ? positions.reversed() : positions where Array(units[position..<position + target.count]) == target {
                return position
            }
            return -1
        }
        func regex(_ pattern: String) -> NSRegularExpression? { try? NSRegularExpression(pattern: pattern) }
        let range = NSRange(text.startIndex..., in: text)
        switch (name, arguments.count) {
        case ("length", 0): return .int(units.count)
        case ("isEmpty", 0): return .bool(units.isEmpty)
        case ("toLowerCase", 0): return .string(text.lowercased())
        case ("toUpperCase", 0): return .string(text.uppercased())
        case ("trim", 0): return .string(text.trimmingCharacters(in: .whitespacesAndNewlines))
        case ("substring", 1), ("substring", 2):
            guard let start = integer(0), let end = arguments.count == 2 ? integer(1) : units.count,
                  start >= 0, end <= units.count, start <= end else { return nil }
            return string(units[start..<end])
        case ("charAt", 1):
            guard let index = integer(0), units.indices.contains(index) else { return nil }
            return string(units[index...index])
        case ("indexOf", 1): return .int(indexOf(argument(0)))
        case ("indexOf", 2): return .int(indexOf(argument(0), from: integer(1) ?? 0))
        case ("lastIndexOf", 1): return .int(indexOf(argument(0), last: true))
        case ("contains", 1): return .bool(text.contains(argument(0)) || argument(0).isEmpty)
        case ("startsWith", 1): return .bool(text.hasPrefix(argument(0)))
        case ("endsWith", 1): return .bool(text.hasSuffix(argument(0)))
        case ("equalsIgnoreCase", 1): return .bool(text.lowercased() == argument(0).lowercased())
        case ("concat", 1): return .string(text + argument(0))
        case ("replace", 2): return .string(text.replacingOccurrences(of: argument(0), with: argument(1)))
        case ("replaceAll", 2), ("replaceFirst", 2):
            guard let pattern = regex(argument(0)) else { return nil }
            if name == "replaceFirst" {
                guard let match = pattern.firstMatch(in: text, range: range) else { return .string(text) }
                let replacement = pattern.replacementString(for: match, in: text, offset: 0, template: argument(1))
                return .string((text as NSString).replacingCharacters(in: match.range, with: replacement))
            }
            return .string(pattern.stringByReplacingMatches(in: text, range: range, withTemplate: argument(1)))
        case ("matches", 1):
            guard let pattern = regex("^(?:" + argument(0) + ")$") else { return nil }
            return .bool(pattern.firstMatch(in: text, range: range) != nil)
        case ("split", 1):
            guard let pattern = regex(argument(0)) else { return nil }
            var parts: [TemplateValue] = []
            var last = text.startIndex
            for match in pattern.matches(in: text, range: range) {
                guard let found = Range(match.range, in: text), !(found.isEmpty && found.lowerBound == text.startIndex) else { continue }
                parts.append(.string(String(text[last..<found.lowerBound])))
                last = found.upperBound
            }
            parts.append(.string(String(text[last...])))
            // Java drops trailing empty strings.
            while case .string("")? = parts.last, parts.count > 0 { parts.removeLast() }
            return .list(parts)
        default:
            return nil
        }
    }
}
