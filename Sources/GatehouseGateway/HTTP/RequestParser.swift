import NIOCore
import NIOHTTP1

/// A client's HTTP/1.0 and 1.1 requests, framed in one pass over the bytes read and checked strictly (RFC 9112):
/// lines end in CRLF, the request line is `token SP target SP HTTP/1.x`, fields as `HTTPFieldLine` checks them,
/// and a body is framed by exactly one Content-Length or by chunked coding (last) — never by both, never by
/// duplicates — so no two parsers can disagree about where a request ends (request smuggling). It replaces
/// NIOHTTP1's llhttp decoder on the client hop (the connection handler calls it on the bytes it reads); body
/// pieces are slices of the read buffer.
struct RequestParser {
    /// What a pass found: a head, a piece of body, or the end of the request.
    enum Event {
        case head(HTTPRequestHead)
        case body(ByteBuffer)
        case end
    }

    /// Why a request was refused: the status to answer (400, 414, 431) and what was wrong, for the log.
    struct ParseError: Error, CustomStringConvertible {
        let status: HTTPResponseStatus
        let reason: String

        var description: String { reason }

        static func bad(_ reason: String) -> ParseError { ParseError(status: .badRequest, reason: reason) }
    }

    /// The longest request line (method, target, version); past it 414.
    let maxRequestLineBytes: Int
    /// The most the header fields may take together; past it 431.
    let maxFieldBytes: Int

    init(maxRequestLineBytes: Int, maxFieldBytes: Int) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxFieldBytes = maxFieldBytes
        body = HTTPBodyFramer(strictLines: true, maxTrailerBytes: maxFieldBytes)
    }

    /// The body of the request being read (none between requests).
    private var body: HTTPBodyFramer
    private var inBody = false
    /// A request's body is being read (between a head and its end).
    var isReadingBody: Bool { inBody }
    /// Whether the last head's connection may carry another request (`ConnectionOption`, read while its fields
    /// are framed).
    private(set) var keepAlive = false
    /// The last head's `Content-Length` (nil without one), and whether its body is chunked: read once here, so
    /// the connection does not search the fields for them again.
    private(set) var declaredLength: Int?
    private(set) var chunked = false
    /// How far the bytes of an unfinished head have been scanned (from the buffer's reader index), where its
    /// current line starts, and where its request line ends (-1: not yet).
    private var scanned = 0
    private var lineStart = 0
    private var requestLineEnd = -1

    /// The next event from `buffer`, consuming what it used; nil when more bytes are needed.
    mutating func next(_ buffer: inout ByteBuffer) throws(ParseError) -> Event? {
        guard inBody else {
            guard let head = try parseHead(&buffer) else { return nil }
            inBody = true
            return .head(head)
        }
        let step: HTTPBodyFramer.Step
        do {
            step = try body.next(&buffer)
        } catch {
            throw .bad(error.reason)
        }
        switch step {
        case .piece(let piece): return .body(piece)
        case .end:
            inBody = false
            return .end
        case .needMore: return nil
        }
    }

    // MARK: the head

    /// The head, once its empty line is there: scanned incrementally (a head trickling in byte by byte costs
    /// one look at each byte), its lines checked to end in CRLF, its limits enforced as it grows.
    private mutating func parseHead(_ buffer: inout ByteBuffer) throws(ParseError) -> HTTPRequestHead? {
        let outcome: (consumed: Int, head: HTTPRequestHead?)? = try buffer.withUnsafeReadableBytes { raw throws(ParseError) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = scanned
            while i < bytes.count {
                defer { i += 1 }
                guard bytes[i] == 10 else { continue }
                guard i > lineStart, bytes[i - 1] == 13 else { throw .bad("a line ending in LF without CR") }
                let length = i - 1 - lineStart
                if requestLineEnd < 0 {
                    if length == 0 {
                        // Empty lines before a request line are skipped (RFC 9112 §2.2).
                        lineStart = i + 1
                        continue
                    }
                    guard length <= maxRequestLineBytes else {
                        throw ParseError(status: .uriTooLong, reason: "the request line is over \(maxRequestLineBytes) bytes")
                    }
                    requestLineEnd = i - 1
                    lineStart = i + 1
                    continue
                }
                if length == 0 {
                    let head = try head(bytes, requestLine: firstLine(bytes), fields: requestLineEnd + 2, end: lineStart)
                    let consumed = i + 1
                    scanned = 0
                    lineStart = 0
                    requestLineEnd = -1
                    return (consumed, head)
                }
                lineStart = i + 1
                if lineStart - (requestLineEnd + 2) > maxFieldBytes {
                    throw ParseError(status: .requestHeaderFieldsTooLarge, reason: "the header fields are over \(maxFieldBytes) bytes")
                }
            }
            scanned = bytes.count
            if requestLineEnd < 0, bytes.count - lineStart > maxRequestLineBytes {
                throw ParseError(status: .uriTooLong, reason: "the request line is over \(maxRequestLineBytes) bytes")
            }
            if requestLineEnd >= 0, bytes.count - (requestLineEnd + 2) > maxFieldBytes {
                throw ParseError(status: .requestHeaderFieldsTooLarge, reason: "the header fields are over \(maxFieldBytes) bytes")
            }
            // Only empty lines so far: drop them.
            if requestLineEnd < 0, lineStart > 0 { return (lineStart, nil) }
            return nil
        }
        guard let outcome else { return nil }
        buffer.moveReaderIndex(forwardBy: outcome.consumed)
        guard let head = outcome.head else {
            scanned -= outcome.consumed
            lineStart -= outcome.consumed
            return nil
        }
        try frame(head)
        return head
    }

    /// Where the request line starts (after any empty lines skipped in this buffer) and ends.
    private func firstLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var start = requestLineEnd
        while start > 0, bytes[start - 1] != 10 { start -= 1 }
        return start..<requestLineEnd
    }

    /// The request line and the fields (each line ends in CRLF; `end` is past the last field's CRLF).
    /// A client on a kept-alive connection repeats its fields and often its target: the strings and list of the
    /// previous request are reused while the bytes match (see `RepeatedFields`).
    private mutating func head(_ bytes: UnsafeBufferPointer<UInt8>, requestLine: Range<Int>, fields: Int, end: Int) throws(ParseError) -> HTTPRequestHead {
        let line = UnsafeBufferPointer(rebasing: bytes[requestLine])
        guard let firstSpace = line.firstIndex(of: 32), firstSpace > 0 else { throw .bad("a malformed request line") }
        for byte in line[..<firstSpace] where !HTTPHeadWriter.isTokenByte(byte) { throw .bad("byte \(byte) in the method") }
        let targetStart = firstSpace + 1
        guard let secondSpace = line[targetStart...].firstIndex(of: 32), secondSpace > targetStart else {
            throw .bad("a malformed request line")
        }
        for byte in line[targetStart..<secondSpace] where byte <= 32 || byte >= 127 { throw .bad("byte \(byte) in the request target") }
        let version = line[(secondSpace + 1)...]
        let minor: Int
        if version.elementsEqual("HTTP/1.1".utf8) {
            minor = 1
        } else if version.elementsEqual("HTTP/1.0".utf8) {
            minor = 0
        } else {
            throw .bad("the version \(String(decoding: version.prefix(20), as: UTF8.self)) is not HTTP/1.0 or HTTP/1.1")
        }
        fieldList.begin()
        var start = fields
        while start < end {
            var stop = start
            while bytes[stop] != 13 || bytes[stop + 1] != 10 { stop += 1 }
            let field = UnsafeBufferPointer(rebasing: bytes[start..<stop])
            do {
                let ranges = try HTTPFieldLine.ranges(field)
                fieldList.add(name: UnsafeBufferPointer(rebasing: field[ranges.name]), value: UnsafeBufferPointer(rebasing: field[ranges.value]))
            } catch {
                throw .bad(error.reason)
            }
            start = stop + 2
        }
        let method = HTTPMethod(rawValue: String(decoding: UnsafeBufferPointer(rebasing: line[..<firstSpace]), as: UTF8.self))
        let target = UnsafeBufferPointer(rebasing: line[targetStart..<secondSpace])
        if !fieldList.enabled || !RepeatedFields.equal(target, lastTarget) {
            lastTarget = String(decoding: target, as: UTF8.self)
        }
        return HTTPRequestHead(version: HTTPVersion(major: 1, minor: minor), method: method, uri: lastTarget, headers: fieldList.finish().headers)
    }

    /// The requests' fields and target, reusing the previous request's while they repeat.
    private var fieldList = RepeatedFields()
    private var lastTarget = ""

    /// Whether a request's fields and target are compared with the previous request's to reuse them (off only
    /// for the fuzzer's differential check).
    var reusesPreviousHead: Bool {
        get { fieldList.enabled }
        set { fieldList.enabled = newValue }
    }

    /// How the body is framed (RFC 9112 §6.1–6.3): chunked when Transfer-Encoding's last coding is chunked;
    /// exactly one Content-Length of digits; else none. Both, duplicates, another last coding or a
    /// Transfer-Encoding in an HTTP/1.0 request are refused.
    private mutating func frame(_ head: HTTPRequestHead) throws(ParseError) {
        var codings: [Substring] = [], lengths: [String] = []
        var connection = ConnectionOption.unspecified
        for (name, value) in head.headers {
            let count = name.utf8.count
            if count == 10, ProxyStage.equalsIgnoringCase(name, "connection") {
                var value = value
                value.withUTF8 { connection.read($0) }
            } else if count == 17, name.lowercased() == "transfer-encoding" {
                codings += value.split(separator: ",").map { $0.trimmingWhitespace() }
            } else if count == 14, name.lowercased() == "content-length" {
                lengths.append(value)
            }
        }
        keepAlive = connection.keepAlive(head.version)
        declaredLength = nil
        chunked = false
        if !codings.isEmpty {
            guard lengths.isEmpty else { throw .bad("both Transfer-Encoding and Content-Length") }
            guard head.version.minor == 1 else { throw .bad("Transfer-Encoding in an HTTP/1.0 request") }
            guard codings.last?.lowercased() == "chunked", codings.filter({ $0.lowercased() == "chunked" }).count == 1 else {
                throw .bad("Transfer-Encoding \(codings.joined(separator: ", ")) does not end in chunked")
            }
            body.start(.chunked)
            chunked = true
            return
        }
        guard let length = lengths.first else {
            body.start(.length(0))
            return
        }
        guard lengths.count == 1 else { throw .bad("\(lengths.count) Content-Length fields") }
        guard !length.isEmpty, length.utf8.count <= 18, length.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(length) else {
            throw .bad("Content-Length \(length.prefix(30)) is not a number of bytes")
        }
        body.start(.length(value))
        declaredLength = value
    }
}

private extension Substring {
    func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
