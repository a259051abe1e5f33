@testable import GatehouseGateway
import GatehouseCore
import NIOCore
import NIOHTTP1
import Testing

/// The byte-level head writer: what it lets through and how the connection's fields replace a response's.
@Suite struct HeadWriterTests {
    @Test func tokenBytesAreExactlyRFC9110s() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(HTTPHeadWriter.isTokenByte(byte) == tchar.contains(byte), "byte \(byte)")
        }
        #expect(HTTPHeadWriter.isValidName("X-Request-Id"))
        #expect(!HTTPHeadWriter.isValidName(""))
        #expect(!HTTPHeadWriter.isValidName("Bad Name"))
        #expect(!HTTPHeadWriter.isValidName("Bad:Name"))
        #expect(!HTTPHeadWriter.isValidName("Nämé"))
    }

    @Test func statusLinesAreNIOsForEveryStatusAndVersion() {
        let codes = [100, 200, 201, 202, 204, 206, 301, 302, 304, 400, 401, 403, 404, 409, 413, 415, 429, 431, 500, 502, 503, 504, 505, 599]
        for code in codes {
            for version in [HTTPVersion.http1_1, .http1_0] {
                let status = HTTPResponseStatus(statusCode: code)
                var buffer = ByteBuffer()
                HTTPHeadWriter.writeResponseHead(version: version, status: status, headers: [:], into: &buffer)
                let expected = "HTTP/1.\(version.minor) \(code) \(status.reasonPhrase)\r\n\r\n"
                #expect(String(buffer: buffer) == expected, "\(code) over HTTP/1.\(version.minor)")
            }
        }
        var custom = ByteBuffer()
        HTTPHeadWriter.writeResponseHead(version: .http1_1, status: .custom(code: 299, reasonPhrase: "Fine"), headers: [:], into: &custom)
        #expect(String(buffer: custom) == "HTTP/1.1 299 Fine\r\n\r\n")
        #expect(HTTPHeadWriter.commonStatus(.ok) != nil && HTTPHeadWriter.commonStatus(.custom(code: 299, reasonPhrase: "Fine")) == nil)
    }

    @Test func theConnectionsFieldsReplaceTheResponsesOwnAndTheRestStayInOrder() {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "content-length", value: "999")
        headers.add(name: "X-Amzn-RequestId", value: "spoofed")
        headers.add(name: "Connection", value: "keep-alive")
        headers.add(name: "Bad Name", value: "dropped")
        headers.add(name: "X-Split", value: "a\r\nInjected: yes")
        headers.add(name: "ETag", value: "\"1\"")
        var framing = ResponseFraming(requestId: .text("req-1"))
        framing.connection = "close"
        framing.contentLength = 2
        var buffer = ByteBuffer()
        HTTPHeadWriter.writeResponseHead(version: .http1_1, status: .ok, headers: headers, framing: framing, into: &buffer)
        #expect(String(buffer: buffer) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: \"1\"\r\n"
            + "x-amzn-RequestId: req-1\r\nConnection: close\r\nContent-Length: 2\r\n\r\n")
        #expect(framing.merged(into: headers).map(\.name) == ["Content-Type", "Bad Name", "X-Split", "ETag", "x-amzn-RequestId", "Connection", "Content-Length"])
    }

    @Test func anIdKeptAsBitsIsWrittenAsTheSameText() {
        var generator = RequestIdGenerator(seed: 9)
        let id = generator.next()
        var headers = HTTPHeaders()
        headers.add(name: "X-Amzn-RequestId", value: "spoofed")
        var asBits = ResponseFraming(requestId: .bits(id))
        asBits.contentLength = 0
        var asText = ResponseFraming(requestId: .text(id.text))
        asText.contentLength = 0
        var bits = ByteBuffer(), text = ByteBuffer()
        HTTPHeadWriter.writeResponseHead(version: .http1_1, status: .ok, headers: headers, framing: asBits, into: &bits)
        HTTPHeadWriter.writeResponseHead(version: .http1_1, status: .ok, headers: headers, framing: asText, into: &text)
        #expect(String(buffer: bits) == "HTTP/1.1 200 OK\r\nx-amzn-RequestId: \(id.text)\r\nContent-Length: 0\r\n\r\n")
        #expect(bits == text)
        #expect(asBits.merged(into: headers)["x-amzn-RequestId"] == [id.text])
    }

    @Test func aChunkedStreamDropsTheLengthAndSaysChunked() {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "10")
        var framing = ResponseFraming(requestId: .text("r"))
        framing.dropsLength = true
        framing.chunked = true
        var buffer = ByteBuffer()
        HTTPHeadWriter.writeResponseHead(version: .http1_1, status: .ok, headers: headers, framing: framing, into: &buffer)
        #expect(String(buffer: buffer) == "HTTP/1.1 200 OK\r\nx-amzn-RequestId: r\r\nTransfer-Encoding: chunked\r\n\r\n")
    }
}
