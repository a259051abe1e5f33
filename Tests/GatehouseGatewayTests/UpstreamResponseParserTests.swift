@testable import GatehouseGateway
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The upstream hop's response parser on its own: framing by length, chunks and the connection's end, heads
/// split anywhere, interim answers, and every malformed shape refused (the call becomes a 502).
@Suite struct UpstreamResponseParserTests {
    /// What a response came to: its head, its body's bytes and whether it ended.
    struct Parsed {
        var heads: [UpstreamResponseHead] = []
        var body: [UInt8] = []
        var ends = 0
    }

    /// Feeds `bytes` in pieces of `step` bytes as reads would deliver them (a partial head kept for the next
    /// read, as the connection does), then the end of input when `eof`.
    static func parse(_ bytes: String, method: HTTPMethod = .GET, step: Int = .max, eof: Bool = false,
                      responses: Int = 1) throws -> Parsed {
        var parser = UpstreamResponseParser()
        parser.expectResponse(to: method)
        var parsed = Parsed()
        var held = ByteBuffer()
        let all = Array(bytes.utf8)
        var offset = 0
        while offset < all.count {
            let piece = all[offset..<min(all.count, offset + step)]
            offset += piece.count
            held.writeBytes(piece)
            while let event = try parser.next(&held) {
                switch event {
                case .head(let head): parsed.heads.append(head)
                case .body(var chunk): parsed.body += chunk.readBytes(length: chunk.readableBytes) ?? []
                case .end:
                    parsed.ends += 1
                    if parsed.ends < responses { parser.expectResponse(to: method) }
                }
            }
            held.discardReadBytes()
        }
        if eof, case .end? = parser.finish() { parsed.ends += 1 }
        return parsed
    }

    @Test(arguments: [Int.max, 1, 2, 7])
    func aLengthFramedResponseInAnyPieces(step: Int) throws {
        let parsed = try Self.parse("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Many:  a, b \r\nContent-Length: 11\r\n\r\n{\"id\":\"42\"}",
                                    step: step)
        let head = try #require(parsed.heads.first)
        #expect(head.status == .created && head.version == .http1_1)
        #expect(head.status.reasonPhrase == "Created")
        #expect(head.headers["content-type"] == ["application/json"])
        #expect(head.headers["x-many"] == ["a, b"], "surrounding whitespace dropped, the value kept")
        #expect(String(decoding: parsed.body, as: UTF8.self) == #"{"id":"42"}"#)
        #expect(parsed.ends == 1)
    }

    @Test(arguments: [Int.max, 1, 3])
    func aChunkedResponseWithExtensionsAndTrailers(step: Int) throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;name=value\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: t\r\n\r\n"
        let parsed = try Self.parse(text, step: step)
        #expect(String(decoding: parsed.body, as: UTF8.self) == "hello, world!!!")
        #expect(parsed.ends == 1 && parsed.heads.count == 1)
    }

    @Test func noBodyForHeadAnd204And304EvenWithALength() throws {
        let head = try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", method: .HEAD)
        #expect(head.ends == 1 && head.body.isEmpty)
        for status in ["204 No Content", "304 Not Modified"] {
            let parsed = try Self.parse("HTTP/1.1 \(status)\r\nContent-Length: 5\r\n\r\n")
            #expect(parsed.ends == 1 && parsed.body.isEmpty, "\(status)")
        }
    }

    @Test func interimAnswersAreSkippedAndTheFinalOneRead() throws {
        let parsed = try Self.parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", step: 4)
        #expect(parsed.heads.map(\.status.code) == [200])
        #expect(parsed.body == Array("ok".utf8) && parsed.ends == 1)
    }

    @Test func withoutALengthTheBodyRunsToTheConnectionsEnd() throws {
        let open = try Self.parse("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this", step: 3)
        #expect(open.body == Array("all of this".utf8) && open.ends == 0, "not over until the connection ends")
        let closed = try Self.parse("HTTP/1.0 200 OK\r\n\r\nall of this", eof: true)
        #expect(closed.ends == 1 && closed.heads.first?.version == .http1_0)
        let coded = try Self.parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nbytes", eof: true)
        #expect(coded.body == Array("bytes".utf8) && coded.ends == 1, "a last coding other than chunked runs to the end")
    }

    @Test func keepAliveResponsesFollowEachOther() throws {
        let parsed = try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n", responses: 2)
        #expect(parsed.heads.map(\.status.code) == [200, 404] && parsed.ends == 2 && parsed.body == Array("a".utf8))
    }

    @Test func bareLineFeedsAreAccepted() throws {
        let parsed = try Self.parse("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")
        #expect(parsed.heads.first?.headers["content-length"] == ["2"] && parsed.body == Array("ok".utf8))
    }

    @Test(arguments: [
        "ICY 200 OK\r\n\r\n", "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 099 Odd\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n", "HTTP/1.1 200 O\u{01}K\r\n\r\n", "garbage\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n", "HTTP/1.1 200 OK\r\nName : 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "HTTP/1.1 200 OK\r\nX: a\u{00}b\r\n\r\n", "HTTP/1.1 200 OK\r\n: empty\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5, 05\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 5,\r\nContent-Length: 6\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
    ])
    func malformedResponsesAreRefused(text: String) {
        #expect(throws: UpstreamResponseParser.ParseError.self, "\(text.debugDescription)") { try Self.parse(text) }
    }

    @Test func aHeadOverTheLimitIsRefusedWithoutWaitingForItsEnd() {
        let huge = "HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: UpstreamResponseParser.maxHeadBytes + 10)
        #expect(throws: UpstreamResponseParser.ParseError.self) { try Self.parse(huge, step: 4096) }
    }

    @Test func bytesNobodyAskedForAreRefused() throws {
        var parser = UpstreamResponseParser()
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n")
        #expect(throws: UpstreamResponseParser.ParseError.self) { _ = try parser.next(&buffer) }
        var empty = ByteBuffer()
        #expect(try parser.next(&empty) == nil)
        #expect(!parser.isReading)
    }

    /// What the head says about its framing and connection, as the connection and the proxy stage read it.
    static func facts(_ text: String, method: HTTPMethod = .GET) throws -> (ResponseHeadFacts, HTTPVersion) {
        var parser = UpstreamResponseParser()
        parser.expectResponse(to: method)
        var buffer = ByteBuffer(string: text)
        guard case .head(let head)? = try parser.next(&buffer) else { throw TestFailure("no head in \(text.debugDescription)") }
        return (parser.facts, head.version)
    }

    @Test func framingAndConnectionAreReadFromTheFieldBytes() throws {
        let (plain, v11) = try Self.facts("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")
        #expect(plain.contentLength == 12 && plain.keepAlive(v11) && !plain.connectionNamesFields)
        let (agreed, _) = try Self.facts("HTTP/1.1 200 OK\r\ncontent-LENGTH: 7 , 7\r\nContent-Length: 7\r\n\r\n")
        #expect(agreed.contentLength == 7 && agreed.lengths == 3, "equal lengths in a list or repeated are one length")
        let (closing, _) = try Self.facts("HTTP/1.1 200 OK\r\nConnection: Close\r\nTransfer-Encoding: gzip,, Chunked\r\n\r\n")
        #expect(!closing.keepAlive(v11) && closing.lastCodingIsChunked && closing.codings == 2 && closing.contentLength == nil)
        let (old, v10) = try Self.facts("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n")
        #expect(!old.keepAlive(v10), "HTTP/1.0 closes unless asked to keep alive")
        let (kept, _) = try Self.facts("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n")
        #expect(kept.keepAlive(v10))
        let (both, _) = try Self.facts("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: keep-alive, X-Secret\r\n\r\n")
        #expect(!both.keepAlive(v11) && both.connectionNamesFields, "two answers mean close (as NIO reads them); X-Secret is hop-by-hop")
        let (notChunked, _) = try Self.facts("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")
        #expect(!notChunked.lastCodingIsChunked && notChunked.contentLength == nil)
    }

    /// A keep-alive backend's heads one after another on one parser: repeated fields reuse what the previous head
    /// made, yet every head reads as its own bytes say: a changed value, a renamed field, fields fewer or more,
    /// and the end-to-end list without hop-by-hop fields or those `Connection` names.
    @Test func headsThatRepeatAreReadAsTheirOwnBytesSay() throws {
        let heads = [
            "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Mon, 07 Dec 2026 14:00:00 GMT\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Mon, 07 Dec 2026 14:00:00 GMT\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
            "HTTP/1.1 201 Created\r\nServer: nginx\r\nDate: Mon, 07 Dec 2026 14:00:01 GMT\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Mon, 07 Dec 2026 14:00:01 GMT\r\nX-Type: application/json\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Mon, 07 Dec 2026 14:00:01 GMT\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Mon, 07 Dec 2026 14:00:01 GMT\r\nX-Secret: s\r\nKeep-Alive: timeout=5\r\nConnection: keep-alive, x-secret\r\nTransfer-Encoding: chunked\r\nX-Kept: k\r\n\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Mon, 07 Dec 2026 14:00:01 GMT\r\nX-Secret: s\r\nKeep-Alive: timeout=5\r\nConnection: keep-alive, x-secret\r\nTransfer-Encoding: chunked\r\nX-Kept: k\r\n\r\n0\r\n\r\n",
        ]
        let parsed = try Self.parse(heads.joined(), step: 5, responses: heads.count)
        try #require(parsed.ends == heads.count && parsed.heads.count == heads.count)
        for (text, head) in zip(heads, parsed.heads) {
            let alone = try #require(try Self.parse(text).heads.first, "\(text.debugDescription)")
            #expect(head.status == alone.status && head.status.reasonPhrase == alone.status.reasonPhrase)
            #expect(head.headers == alone.headers, "\(text.debugDescription): \(head.headers) vs \(alone.headers)")
            #expect(head.endToEnd == alone.endToEnd)
            // Every field as written, in order.
            let fields = text.split(separator: "\r\n\r\n", maxSplits: 1)[0].split(separator: "\r\n").dropFirst().map { line in
                let colon = try! #require(line.firstIndex(of: ":"))
                return "\(line[..<colon])=\(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))"
            }
            #expect(head.headers.map { "\($0.name)=\($0.value)" } == fields)
        }
        #expect(parsed.heads[3].headers["x-type"] == ["application/json"] && parsed.heads[3].headers["content-type"].isEmpty)
        #expect(parsed.heads[4].headers.map(\.name) == ["Server", "Date", "Content-Length"])
        let hopByHop = parsed.heads[6]
        #expect(hopByHop.endToEnd.map(\.name) == ["Server", "Date", "X-Kept"], "\(hopByHop.endToEnd)")
        #expect(parsed.heads[0].endToEnd.map(\.name) == ["Server", "Date", "Content-Type", "Content-Length"])
    }
}
