import GatehouseCore
import NIOCore
import NIOHTTP1

/// Writes HTTP/1.1 message heads and chunk framing straight into byte buffers. Both hops of the data plane
/// write bytes instead of NIOHTTP1's boxed parts: the profile put NIO's encoders and the handlers in front
/// of them at about a tenth of a call. Names and values that could split a message are left out.
enum HTTPHeadWriter {
    /// `HTTP/1.1 200 OK`, the headers and the blank line.
    static func writeResponseHead(version: HTTPVersion, status: HTTPResponseStatus, headers: HTTPHeaders,
                                  into buffer: inout ByteBuffer) {
        writeStatusLine(version: version, status: status, into: &buffer)
        writeFields(headers, into: &buffer)
    }

    /// A response head whose connection-level fields come from `framing`: the response's headers that they
    /// replace are left out, then the framing's fields are written, then the blank line.
    static func writeResponseHead(version: HTTPVersion, status: HTTPResponseStatus, headers: HTTPHeaders,
                                  framing: ResponseFraming, into buffer: inout ByteBuffer) {
        writeStatusLine(version: version, status: status, into: &buffer)
        for (name, value) in headers where !framing.overrides(name) && isValidName(name) && isValidValue(value) {
            writeField(name, value, into: &buffer)
        }
        switch framing.requestId {
        case .bits(let id):
            buffer.writeStaticString("x-amzn-RequestId: ")
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: RequestId.textLength) { bytes in
                id.write(into: bytes.bindMemory(to: UInt8.self))
            }
            writeCRLF(into: &buffer)
        case .text(let text):
            if isValidValue(text) { writeField("x-amzn-RequestId", text, into: &buffer) }
        }
        framing.forEachFieldAfterId { name, value in
            if isValidValue(value) { writeField(name, value, into: &buffer) }
        }
        writeCRLF(into: &buffer)
    }

    private static func writeStatusLine(version: HTTPVersion, status: HTTPResponseStatus, into buffer: inout ByteBuffer) {
        writeVersion(version, into: &buffer)
        if let common = commonStatus(status) {
            buffer.writeStaticString(common)
            return
        }
        buffer.writeInteger(UInt8(ascii: " "))
        let code = Int(status.code)
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code / 100 % 10))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code / 10 % 10))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code % 10))
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(status.reasonPhrase)
        writeCRLF(into: &buffer)
    }

    /// `GET /path HTTP/1.1`, the headers and the blank line.
    static func writeRequestHead(_ head: HTTPRequestHead, into buffer: inout ByteBuffer) {
        writeRequestLine(method: head.method, target: head.uri, into: &buffer)
        writeFields(head.headers, into: &buffer)
    }

    /// `GET /path HTTP/1.1` and its CRLF; fields follow with `writeHeaderField` and the head ends with `writeEndOfHead`.
    static func writeRequestLine(method: HTTPMethod, target: String, into buffer: inout ByteBuffer) {
        buffer.writeString(method.rawValue)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(target)
        buffer.writeInteger(UInt8(ascii: " "))
        writeVersion(.http1_1, into: &buffer)
        writeCRLF(into: &buffer)
    }

    /// One field, left out when its name or value could split the message.
    @inline(__always)
    static func writeHeaderField(_ name: String, _ value: String, into buffer: inout ByteBuffer) {
        if isValidName(name) && isValidValue(value) { writeField(name, value, into: &buffer) }
    }

    /// The blank line that ends a head.
    static func writeEndOfHead(into buffer: inout ByteBuffer) {
        writeCRLF(into: &buffer)
    }

    /// One piece of a chunked body, through `write`: the size line, the data, the CRLF. An empty piece writes
    /// nothing (a zero-size chunk would end the body).
    static func writeChunk(_ chunk: ByteBuffer, allocator: ByteBufferAllocator, _ write: (ByteBuffer) -> Void) {
        guard chunk.readableBytes > 0 else { return }
        // The size line in front of the data (`1a\r\n`).
        var framing = allocator.buffer(capacity: 12)
        framing.writeString(String(chunk.readableBytes, radix: 16))
        writeCRLF(into: &framing)
        write(framing)
        write(chunk)
        write(crlf)
    }

    /// The CRLF after a chunk's data.
    static let crlf = ByteBuffer(string: "\r\n")

    /// The CRLF that ends a line of a head.
    @inline(__always)
    private static func writeCRLF(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(0x0D0A))
    }

    /// The last chunk of a chunked body, without trailers.
    static let lastChunk = ByteBuffer(string: "0\r\n\r\n")

    /// The rest of the status line, from the space after the version, for the statuses a gateway answers most
    /// (NIO's reason phrases): one copy where the status line was eight writes and a `String` (1.5 % of a MOCK call).
    @inline(__always)
    static func commonStatus(_ status: HTTPResponseStatus) -> StaticString? {
        switch status {
        case .ok: return " 200 OK\r\n"
        case .created: return " 201 Created\r\n"
        case .noContent: return " 204 No Content\r\n"
        case .notModified: return " 304 Not Modified\r\n"
        case .badRequest: return " 400 Bad Request\r\n"
        case .unauthorized: return " 401 Unauthorized\r\n"
        case .forbidden: return " 403 Forbidden\r\n"
        case .notFound: return " 404 Not Found\r\n"
        case .tooManyRequests: return " 429 Too Many Requests\r\n"
        case .internalServerError: return " 500 Internal Server Error\r\n"
        case .badGateway: return " 502 Bad Gateway\r\n"
        case .serviceUnavailable: return " 503 Service Unavailable\r\n"
        case .gatewayTimeout: return " 504 Gateway Timeout\r\n"
        default: return nil
        }
    }

    private static func writeVersion(_ version: HTTPVersion, into buffer: inout ByteBuffer) {
        if version == .http1_1 {
            buffer.writeStaticString("HTTP/1.1")
            return
        }
        buffer.writeString("HTTP/")
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: version.major))
        buffer.writeInteger(UInt8(ascii: "."))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: version.minor))
    }

    private static func writeFields(_ headers: HTTPHeaders, into buffer: inout ByteBuffer) {
        for (name, value) in headers where isValidName(name) && isValidValue(value) {
            writeField(name, value, into: &buffer)
        }
        writeCRLF(into: &buffer)
    }

    @inline(__always)
    private static func writeField(_ name: String, _ value: String, into buffer: inout ByteBuffer) {
        buffer.writeString(name)
        buffer.writeInteger(UInt16(0x3A20))  // ": "
        buffer.writeString(value)
        writeCRLF(into: &buffer)
    }

    /// A field name is a non-empty RFC 9110 token.
    @inline(__always)
    static func isValidName(_ name: String) -> Bool {
        var count = 0
        for byte in name.utf8 {
            guard isTokenByte(byte) else { return false }
            count += 1
        }
        return count > 0
    }

    /// A field value holds no CR, LF or NUL (what would end the field or the head early).
    @inline(__always)
    static func isValidValue(_ value: String) -> Bool {
        let valid = value.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes where byte == 0x0D || byte == 0x0A || byte == 0 { return false }
            return true
        }
        return valid ?? !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }

    /// RFC 9110 `tchar`, as two 64-bit masks (bytes 0–63 and 64–127): a shift and a test per byte, no table.
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        if byte < 64 { return tokenLow & (1 << UInt64(byte)) != 0 }
        if byte < 128 { return tokenHigh & (1 << UInt64(byte - 64)) != 0 }
        return false
    }

    // ! # $ % & ' * + - . 0-9 (bytes 33, 35–39, 42, 43, 45, 46, 48–57); constants, so no lazy initialisation.
    private static let tokenLow: UInt64 = 0x03ff_6cfa_0000_0000
    // A-Z ^ _ ` a-z | ~ (bytes 65–90, 94–122, 124, 126)
    private static let tokenHigh: UInt64 = 0x57ff_ffff_c7ff_fffe
}
