#if canImport(Glibc)
import Glibc
#endif
import NIOHTTP1

/// Builds a head's field list for a parser that reads one connection's heads in turn, reusing what the previous
/// head made: a field whose bytes are the previous head's field at the same place keeps its strings, and a head
/// whose fields all are gets the previous list itself. Clients and backends repeat their heads on a kept-alive
/// connection (a backend changes `Date` once a second), and decoding the same fields into new strings and a new
/// array was several allocations per call (`perf` on malloc, docs/performance.md).
struct RepeatedFields {
    /// Off only for the fuzzer's differential check, which reads the same bytes both ways.
    var enabled = true

    private var previous: [(String, String)] = []
    private var previousHeaders = HTTPHeaders()
    private var hasPrevious = false
    private var fields: [(String, String)] = []
    private var same = true
    private var index = 0

    /// Starts a head.
    mutating func begin() {
        fields = []
        same = enabled
        index = 0
    }

    /// One field's name and value bytes, in order.
    mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        let sameName = enabled && index < previous.count && Self.equal(name, previous[index].0)
        let sameValue = sameName && Self.equal(value, previous[index].1)
        if same {
            if sameValue {
                index += 1
                return
            }
            same = false
            fields.reserveCapacity(max(12, previous.count))
            fields.append(contentsOf: previous[0..<index])
        }
        fields.append((sameName ? previous[index].0 : String(decoding: name, as: UTF8.self),
                       sameValue ? previous[index].1 : String(decoding: value, as: UTF8.self)))
        index += 1
    }

    /// The head's fields, and whether they differ from the previous head's (a caller that derives something
    /// from the list derives it again only then).
    mutating func finish() -> (headers: HTTPHeaders, changed: Bool) {
        if same, hasPrevious, index == previous.count { return (previousHeaders, false) }
        if same { fields = Array(previous[0..<index]) }
        previous = fields
        previousHeaders = HTTPHeaders(fields)
        hasPrevious = true
        fields = []
        return (previousHeaders, true)
    }

    /// Whether `bytes` are `string`'s UTF-8, compared in place.
    @inline(__always)
    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ string: String) -> Bool {
        var string = string
        return string.withUTF8 { utf8 in
            guard utf8.count == bytes.count else { return false }
            guard let a = utf8.baseAddress, let b = bytes.baseAddress else { return true }  // both empty
            return memcmp(a, b, bytes.count) == 0
        }
    }
}
