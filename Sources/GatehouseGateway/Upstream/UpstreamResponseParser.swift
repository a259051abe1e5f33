import NIOCore
import NIOHTTP1

/// A backend's HTTP/1.x response, framed in one pass over the bytes read: the head (status line and header
/// fields, checked strictly), then the body by Content-Length, chunked coding or the end of the connection.
/// It replaces NIOHTTP1's decoder on the upstream hop, whose callbacks, boxed parts and extra handler were a
/// tenth of a proxied call's user time (docs/performance.md); body pieces are slices of the read buffer.
struct UpstreamResponseParser {
    /// What a pass found: a head, a piece of body, or the end of the response.
    enum Event {
        case head(UpstreamResponseHead)
        case body(ByteBuffer)
        case end
    }

    /// Why a response could not be read; the call fails with 502 and the connection is dropped.
    enum ParseError: Error, CustomStringConvertible {
        case badStatusLine(String)
        case badHeader(String)
        case headTooLarge
        case badFraming(String)
        case badChunk(String)
        case unexpectedData

        var description: String {
            switch self {
            case .badStatusLine(let line): return "the backend sent a malformed status line: \(line)"
            case .badHeader(let why): return "the backend sent a malformed header field: \(why)"
            case .headTooLarge: return "the backend's response head is over \(UpstreamResponseParser.maxHeadBytes) bytes"
            case .badFraming(let why): return "the backend's response framing is invalid: \(why)"
            case .badChunk(let why): return "the backend's chunked body is malformed: \(why)"
            case .unexpectedData: return "the backend sent bytes nobody asked for"
            }
        }
    }

    /// The most a response head may take (NIOHTTP1's default for responses).
    static let maxHeadBytes = 80 * 1024

    /// Between responses, reading a head, or reading a body (`body` frames it).
    private enum State { case idle, head, body }

    private var state = State.idle
    private var answersHead = false
    /// How far an unfinished head has been searched for its end (from the buffer's reader index), so a head that
    /// trickles in is not searched from its start on every read.
    private var headScanned = 0
    private var body = HTTPBodyFramer(strictLines: false, maxTrailerBytes: UpstreamResponseParser.maxHeadBytes)
    /// What the last head's framing and connection fields said (read with its `.head` event).
    private(set) var facts = ResponseHeadFacts()

    /// The next response answers a request of `method` (a response to HEAD has no body).
    mutating func expectResponse(to method: HTTPMethod) {
        state = .head
        answersHead = method == .HEAD
        headScanned = 0
    }

    /// Whether a response is being read (its head or body has not ended).
    var isReading: Bool { state != .idle }

    /// The next event from `buffer`, consuming what it used; nil when more bytes are needed (or no response
    /// is expected and the buffer is empty).
    mutating func next(_ buffer: inout ByteBuffer) throws -> Event? {
        switch state {
        case .idle:
            if buffer.readableBytes > 0 { throw ParseError.unexpectedData }
            return nil
        case .head:
            while true {
                guard let head = try parseHead(&buffer) else { return nil }
                if head.status.code >= 200 {
                    state = .body
                    return .head(head)
                }
                // 1xx: interim, the final answer follows
            }
        case .body:
            let step: HTTPBodyFramer.Step
            do {
                step = try body.next(&buffer)
            } catch {
                throw ParseError.badChunk(error.reason)
            }
            switch step {
            case .piece(let piece): return .body(piece)
            case .end:
                state = .idle
                return .end
            case .needMore: return nil
            }
        }
    }

    /// The end of input: completes a response that runs until it (nil when nothing was being read, or the
    /// response stops short, which the caller reports as a cut).
    mutating func finish() -> Event? {
        guard state == .body, body.finish() else { return nil }
        state = .idle
        return .end
    }

    // MARK: the head

    private mutating func parseHead(_ buffer: inout ByteBuffer) throws -> UpstreamResponseHead? {
        let found: (length: Int, head: UpstreamResponseHead)? = try buffer.withUnsafeReadableBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            // The last two bytes searched could not be looked past yet: search again from there.
            guard let end = Self.headEnd(bytes, from: max(0, headScanned - 2)) else {
                if bytes.count > Self.maxHeadBytes { throw ParseError.headTooLarge }
                headScanned = bytes.count
                return nil
            }
            headScanned = 0
            guard end.bodyStart <= Self.maxHeadBytes else { throw ParseError.headTooLarge }
            return (end.bodyStart, try head(UnsafeBufferPointer(rebasing: bytes[0..<end.headEnd])))
        }
        guard let found else { return nil }
        buffer.moveReaderIndex(forwardBy: found.length)
        try frame(found.head)
        return found.head
    }

    /// Where the head ends (the index of its last line's end) and the body starts: at the first empty line,
    /// CRLF CRLF or, leniently, LF LF, looking from `start`.
    private static func headEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (headEnd: Int, bodyStart: Int)? {
        var i = start
        while i < bytes.count {
            if bytes[i] == 10 {
                if i + 1 < bytes.count, bytes[i + 1] == 10 { return (i, i + 2) }
                if i + 2 < bytes.count, bytes[i + 1] == 13, bytes[i + 2] == 10 { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }

    /// The status line and header fields (the bytes up to the last field's LF, exclusive); what the framing and
    /// connection fields say goes to `facts`. A keep-alive backend repeats its head but for `Date` once a second:
    /// the field strings and lists of the previous head are reused while they match, and the end-to-end list is
    /// made again only when the fields changed (five allocations per proxied call, `perf` on malloc).
    private mutating func head(_ bytes: UnsafeBufferPointer<UInt8>) throws -> UpstreamResponseHead {
        var lines = LineIterator(bytes: bytes)
        guard let statusLine = lines.next() else { throw ParseError.badStatusLine("(empty)") }
        let (version, status) = try Self.statusLine(statusLine)
        facts = ResponseHeadFacts()
        fieldList.begin()
        while let line = lines.next() {
            let ranges: (name: Range<Int>, value: Range<Int>)
            do {
                ranges = try HTTPFieldLine.ranges(line)
            } catch {
                throw ParseError.badHeader(error.reason)
            }
            let name = UnsafeBufferPointer(rebasing: line[ranges.name]), value = UnsafeBufferPointer(rebasing: line[ranges.value])
            facts.note(name: name, value: value)
            fieldList.add(name: name, value: value)
        }
        let (headers, changed) = fieldList.finish()
        if changed {
            // Hop-by-hop fields stay on the backend's connection; `Connection` is split only when it names more
            // than close or keep-alive.
            let tokens = facts.connectionNamesFields ? headers[canonicalForm: "connection"] : []
            endToEnd = headers
            if headers.contains(where: { ProxyStage.isHopByHop($0.name, connectionTokens: tokens) }) {
                endToEnd = HTTPHeaders(headers.filter { !ProxyStage.isHopByHop($0.name, connectionTokens: tokens) }.map { ($0.name, $0.value) })
            }
        }
        return UpstreamResponseHead(version: version, status: status, headers: headers, endToEnd: endToEnd)
    }

    /// The heads' fields, reusing the previous head's (see `RepeatedFields`), and the end-to-end list made from
    /// the last distinct one.
    private var fieldList = RepeatedFields()
    private var endToEnd = HTTPHeaders()

    /// Whether a head's fields are compared with the previous head's to reuse them (off only for the fuzzer's
    /// differential check, which reads the same bytes both ways).
    var reusesPreviousHead: Bool {
        get { fieldList.enabled }
        set { fieldList.enabled = newValue }
    }

    /// `HTTP/1.x SP 3DIGIT [SP reason]`.
    private static func statusLine(_ line: UnsafeBufferPointer<UInt8>) throws -> (HTTPVersion, HTTPResponseStatus) {
        let prefix: StaticString = "HTTP/1."
        func bad() -> ParseError { ParseError.badStatusLine(String(decoding: line.prefix(100), as: UTF8.self)) }
        guard line.count >= 12, (0..<7).allSatisfy({ line[$0] == prefix.utf8Start[$0] }), line[7] == 48 || line[7] == 49,
              line[8] == 32, (9..<12).allSatisfy({ line[$0] >= 48 && line[$0] <= 57 }), line.count == 12 || line[12] == 32 else { throw bad() }
        let code = Int(line[9] - 48) * 100 + Int(line[10] - 48) * 10 + Int(line[11] - 48)
        guard code >= 100 else { throw bad() }
        for byte in line.dropFirst(12) where byte < 32 && byte != 9 || byte == 127 { throw bad() }
        let reason = line.count > 13 ? String(decoding: UnsafeBufferPointer(rebasing: line[13...]), as: UTF8.self) : ""
        return (HTTPVersion(major: 1, minor: Int(line[7] - 48)), HTTPResponseStatus(statusCode: code, reasonPhrase: reason))
    }

    /// How the body is framed (RFC 9112 §6.3): none for HEAD, 1xx, 204 and 304; chunked when chunked is the
    /// last transfer coding; the rest of the connection for another coding; else Content-Length, else the
    /// rest of the connection. Both Transfer-Encoding and Content-Length, or differing lengths, are refused.
    private mutating func frame(_ head: UpstreamResponseHead) throws {
        let code = head.status.code
        if code < 200 { return }
        if answersHead || code == 204 || code == 304 {
            body.start(.length(0))
            return
        }
        if facts.codings > 0 {
            guard facts.lengths == 0 else { throw ParseError.badFraming("both Transfer-Encoding and Content-Length") }
            body.start(facts.lastCodingIsChunked ? .chunked : .untilClose)
            return
        }
        guard facts.lengths > 0 else {
            body.start(.untilClose)
            return
        }
        guard let length = facts.contentLength else {
            throw ParseError.badFraming("Content-Length \(head.headers[canonicalForm: "content-length"].joined(separator: ", "))")
        }
        body.start(.length(length))
    }
}

/// The lines of a head: split at LF, a CR before it dropped.
private struct LineIterator {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    mutating func next() -> UnsafeBufferPointer<UInt8>? {
        guard position < bytes.count else { return nil }
        var end = position
        while end < bytes.count, bytes[end] != 10 { end += 1 }
        let next = end + 1
        if end > position, bytes[end - 1] == 13 { end -= 1 }
        let line = UnsafeBufferPointer(rebasing: bytes[position..<end])
        position = next
        return line
    }
}
