/// One header field line of an HTTP/1.x head, checked as RFC 9112 §5 asks: a token name, the colon right after
/// it, no folded continuation, no control bytes in the value. Both hops' parsers read fields through it.
enum HTTPFieldLine {
    /// Why a field line was refused.
    struct Problem: Error {
        let reason: String
    }

    /// Where the field's name and its trimmed value are in `line`, once the line is checked.
    static func ranges(_ line: UnsafeBufferPointer<UInt8>) throws(Problem) -> (name: Range<Int>, value: Range<Int>) {
        guard let first = line.first else { throw Problem(reason: "an empty line inside the head") }
        if first == 32 || first == 9 { throw Problem(reason: "a folded line (obs-fold)") }
        var colon = 0
        while colon < line.count, line[colon] != 58 { colon += 1 }
        guard colon < line.count, colon > 0 else {
            throw Problem(reason: "no name and colon in \(String(decoding: line.prefix(60), as: UTF8.self))")
        }
        for byte in line[..<colon] where !HTTPHeadWriter.isTokenByte(byte) {
            throw Problem(reason: "byte \(byte) in the name \(String(decoding: line[..<colon].prefix(60), as: UTF8.self))")
        }
        var start = colon + 1, end = line.count
        while start < end, line[start] == 32 || line[start] == 9 { start += 1 }
        while end > start, line[end - 1] == 32 || line[end - 1] == 9 { end -= 1 }
        for byte in line[start..<end] where byte < 32 && byte != 9 || byte == 127 {
            throw Problem(reason: "control byte \(byte) in the value of \(String(decoding: line[..<colon], as: UTF8.self))")
        }
        return (0..<colon, start..<end)
    }

    /// Whether `bytes` spell `lowercased` in any ASCII case (`lowercased` is lowercase ASCII).
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercased: StaticString) -> Bool {
        guard bytes.count == lowercased.utf8CodeUnitCount else { return false }
        let expected = lowercased.utf8Start
        for i in 0..<bytes.count {
            let byte = bytes[i]
            let folded = byte >= 65 && byte <= 90 ? byte | 0x20 : byte
            if folded != expected[i] { return false }
        }
        return true
    }

    /// Calls `body` with each element of a comma-separated list value, trimmed of spaces and tabs; empty
    /// elements are skipped (RFC 9110 §5.6.1).
    @inline(__always)
    static func forEachListElement(_ value: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count, value[end] != 44 { end += 1 }
            var from = start, to = end
            while from < to, value[from] == 32 || value[from] == 9 { from += 1 }
            while to > from, value[to - 1] == 32 || value[to - 1] == 9 { to -= 1 }
            if to > from { body(UnsafeBufferPointer(rebasing: value[from..<to])) }
            start = end + 1
        }
    }
}
