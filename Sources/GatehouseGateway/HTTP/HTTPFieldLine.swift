/// One header field line of an HTTP/1.x head, checked as RFC 9112 §5 asks: a token name, the colon right after
/// it, no folded continuation, no control bytes in the value. Both hops' parsers read fields through it.
enum HTTPFieldLine {
    /// Why a field line was refused.
    struct Problem: Error {
        let reason: String
    }

    /// The field's name and its value without surrounding whitespace.
    static func parse(_ line: UnsafeBufferPointer<UInt8>) throws(Problem) -> (name: String, value: String) {
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
        return (String(decoding: UnsafeBufferPointer(rebasing: line[..<colon]), as: UTF8.self),
                String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self))
    }
}
