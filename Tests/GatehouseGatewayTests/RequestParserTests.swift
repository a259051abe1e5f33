@testable import GatehouseGateway
import NIOCore
import NIOHTTP1
import Testing

/// The client hop's request parser on its own: heads and bodies in any pieces, pipelined requests, and every
/// shape that could let two parsers disagree about where a request ends refused with its status.
@Suite struct RequestParserTests {
    struct Parsed {
        var heads: [HTTPRequestHead] = []
        var bodies: [[UInt8]] = []
        var ends = 0
    }

    /// Feeds `text` in pieces of `step` bytes, as reads would deliver them.
    static func parse(_ text: String, step: Int = .max, maxLine: Int = 1024, maxFields: Int = 1024) throws(RequestParser.ParseError) -> Parsed {
        var parser = RequestParser(maxRequestLineBytes: maxLine, maxFieldBytes: maxFields)
        var parsed = Parsed()
        var held = ByteBuffer()
        let all = Array(text.utf8)
        var offset = 0
        while offset < all.count {
            let piece = all[offset..<min(all.count, offset + step)]
            offset += piece.count
            held.writeBytes(piece)
            while let event = try parser.next(&held) {
                switch event {
                case .head(let head):
                    parsed.heads.append(head)
                    parsed.bodies.append([])
                case .body(var chunk): parsed.bodies[parsed.bodies.count - 1] += chunk.readBytes(length: chunk.readableBytes) ?? []
                case .end: parsed.ends += 1
                }
            }
        }
        return parsed
    }

    static func status(_ text: String, step: Int = .max, maxLine: Int = 1024, maxFields: Int = 1024) -> HTTPResponseStatus? {
        do {
            _ = try parse(text, step: step, maxLine: maxLine, maxFields: maxFields)
            return nil
        } catch {
            return error.status
        }
    }

    @Test(arguments: [Int.max, 1, 5])
    func headsAndBodiesInAnyPieces(step: Int) throws {
        let text = "\r\nPOST /pets?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-Spaced:  v  \r\n\r\nhello"
            + "PUT /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\n"
            + "GET /last HTTP/1.0\r\n\r\n"
        let parsed = try Self.parse(text, step: step)
        #expect(parsed.heads.map(\.uri) == ["/pets?x=1", "/chunked", "/last"])
        #expect(parsed.heads.map(\.method) == [.POST, .PUT, .GET])
        #expect(parsed.heads[0].headers["x-spaced"] == ["v"] && parsed.heads[2].version == .http1_0)
        #expect(parsed.bodies == [Array("hello".utf8), Array("abcde".utf8), []])
        #expect(parsed.ends == 3, "every request ends, a bodiless one right after its head")
    }

    @Test func keepAliveIsReadAsNIOReadsIt() throws {
        let connections = ["", "Connection: keep-alive\r\n", "Connection: close\r\n", "Connection: Keep-Alive, Upgrade\r\n",
                           "Connection: keep-alive\r\nConnection: keep-alive\r\n", "Connection: close, keep-alive\r\n",
                           "Connection: upgrade\r\n", "connection: ,, CLOSE ,\r\n", "Connection:\r\n"]
        for version in ["1.1", "1.0"] {
            for field in connections {
                var parser = RequestParser(maxRequestLineBytes: 1024, maxFieldBytes: 1024)
                var buffer = ByteBuffer(string: "GET / HTTP/\(version)\r\nHost: a\r\n\(field)\r\n")
                guard case .head(let head)? = try parser.next(&buffer) else { throw TestFailure("no head") }
                #expect(parser.keepAlive == head.isKeepAlive, "HTTP/\(version) with \(field.debugDescription)")
            }
        }
        #expect(try Self.parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").heads.count == 1)
    }

    @Test func anUnknownMethodIsKeptAsItCame() throws {
        let parsed = try Self.parse("PURGE /cache HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(parsed.heads.first?.method == .RAW(value: "PURGE"))
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\nHost: a\r\n\r\n", "a bare LF"), ("GET / HTTP/1.1\r\nHost: a\n\r\n", "a bare LF after a field"),
        ("GET / HTTP/1.2\r\nHost: a\r\n\r\n", "HTTP/1.2"), ("GET / HTTP/2.0\r\n\r\n", "HTTP/2.0"), ("GET / HTXP/1.1\r\n\r\n", "not HTTP"),
        ("GET /  HTTP/1.1\r\n\r\n", "two spaces"), ("GET / HTTP/1.1 \r\n\r\n", "a space after the version"), ("GET\r\n\r\n", "no target"),
        ("G@T / HTTP/1.1\r\n\r\n", "a method that is no token"), ("GET /a\u{7F}b HTTP/1.1\r\n\r\n", "DEL in the target"),
        ("GET /\r HTTP/1.1\r\n\r\n", "a bare CR in the line"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n", "obs-fold"), ("GET / HTTP/1.1\r\nX A: b\r\n\r\n", "space in a name"),
        ("GET / HTTP/1.1\r\nX-A : b\r\n\r\n", "space before the colon"), ("GET / HTTP/1.1\r\nX-\u{0}A: b\r\n\r\n", "NUL in a name"),
        ("GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n", "a bare CR in a value"), ("GET / HTTP/1.1\r\nNoColon\r\n\r\n", "no colon"),
        ("POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", "CL then TE"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n", "TE then CL"),
        ("POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd", "a duplicate Content-Length"),
        ("POST / HTTP/1.1\r\nContent-Length: 4, 4\r\n\r\nabcd", "a Content-Length list"),
        ("POST / HTTP/1.1\r\nContent-Length: +4\r\n\r\nabcd", "a signed Content-Length"),
        ("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", "a Content-Length past Int"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "chunked not last"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", "chunked twice"),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "TE in HTTP/1.0"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "a bad chunk size"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n", "a space after a chunk size"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", "a chunk longer than its size"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n", "a chunk size ending in a bare LF"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", "a chunk size of 16 digits"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n", "a malformed trailer"),
    ])
    func malformedRequestsAre400(text: String, name: String) {
        #expect(Self.status(text) == .badRequest, "\(name)")
        #expect(Self.status(text, step: 1) == .badRequest, "\(name), byte by byte")
    }

    @Test func limitsAnswer414And431AsTheHeadGrowsWithoutWaitingForItsEnd() {
        let longLine = "GET /" + String(repeating: "a", count: 2000)
        #expect(Self.status(longLine, step: 100) == .uriTooLong, "an unfinished line past the limit")
        #expect(Self.status(longLine + " HTTP/1.1\r\n\r\n") == .uriTooLong, "a whole line past the limit")
        let manyFields = "GET / HTTP/1.1\r\n" + String(repeating: "X-Field: 0123456789\r\n", count: 100)
        #expect(Self.status(manyFields, step: 64) == .requestHeaderFieldsTooLarge, "fields past the limit, unfinished")
        #expect(Self.status("GET / HTTP/1.1\r\nX-Big: " + String(repeating: "b", count: 2000), step: 500) == .requestHeaderFieldsTooLarge)
        #expect(Self.status("GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X-F: 1\r\n", count: 100) + "\r\n") == nil, "under the limit")
    }

    @Test func aBodyIsNeverReadAsTheNextRequest() throws {
        // The smuggling shape: a length that covers what looks like a second request.
        let inner = "GET /admin HTTP/1.1\r\nHost: a\r\n\r\n"
        let parsed = try Self.parse("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: \(inner.utf8.count)\r\n\r\n" + inner, step: 7)
        #expect(parsed.heads.map(\.uri) == ["/a"] && parsed.bodies == [Array(inner.utf8)] && parsed.ends == 1)
    }

    /// Requests one after another on one connection: what repeats is reused, yet every request reads as its own
    /// bytes say (the same target and fields, a changed value, a renamed field, fewer and more fields, a new target).
    @Test func requestsThatRepeatAreReadAsTheirOwnBytesSay() throws {
        let requests = [
            "GET /restapis/abc/prod/_user_request_/pets HTTP/1.1\r\nHost: gateway.example\r\nUser-Agent: curl/8.5.0\r\nAccept: application/json\r\n\r\n",
            "GET /restapis/abc/prod/_user_request_/pets HTTP/1.1\r\nHost: gateway.example\r\nUser-Agent: curl/8.5.0\r\nAccept: application/json\r\n\r\n",
            "GET /restapis/abc/prod/_user_request_/pets HTTP/1.1\r\nHost: gateway.example\r\nUser-Agent: curl/8.6.0\r\nAccept: application/json\r\n\r\n",
            "GET /restapis/abc/prod/_user_request_/pets/1 HTTP/1.1\r\nHost: gateway.example\r\nUser-Agent: curl/8.6.0\r\nX-Accept: application/json\r\n\r\n",
            "POST /restapis/abc/prod/_user_request_/pets/1 HTTP/1.1\r\nHost: gateway.example\r\nContent-Length: 2\r\n\r\nok",
            "GET /restapis/abc/prod/_user_request_/pets/1 HTTP/1.1\r\nHost: gateway.example\r\nContent-Length: 0\r\nX-Request-Id: 1\r\nAuthorization: Bearer token-number-one\r\n\r\n",
            "GET /restapis/abc/prod/_user_request_/pets/1 HTTP/1.1\r\nHost: gateway.example\r\nContent-Length: 0\r\nX-Request-Id: 2\r\nAuthorization: Bearer token-number-two\r\n\r\n",
        ]
        let parsed = try Self.parse(requests.joined(), step: 7)
        try #require(parsed.heads.count == requests.count && parsed.ends == requests.count)
        for (text, head) in zip(requests, parsed.heads) {
            let alone = try #require(try Self.parse(text).heads.first)
            #expect(head == alone, "\(text.debugDescription): \(head) vs \(alone)")
        }
        #expect(parsed.heads[2].headers["user-agent"] == ["curl/8.6.0"])
        #expect(parsed.heads[3].uri.hasSuffix("/pets/1") && parsed.heads[3].headers["accept"].isEmpty)
        #expect(parsed.heads[4].headers.map(\.name) == ["Host", "Content-Length"] && parsed.bodies[4] == Array("ok".utf8))
        #expect(parsed.heads[6].headers["authorization"] == ["Bearer token-number-two"] && parsed.heads[6].headers["x-request-id"] == ["2"])
    }
}
