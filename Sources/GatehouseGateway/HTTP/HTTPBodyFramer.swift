import NIOCore

/// The body of an HTTP/1.x message once its head has said how it is framed: pieces of a declared length, chunks
/// (size line, data, CRLF; trailer fields after the last), or everything until the connection ends. Both hops'
/// parsers frame bodies through it; body pieces are slices of the read buffer.
struct HTTPBodyFramer {
    /// How the head said the body is framed.
    enum Framing {
        case length(Int)
        case chunked
        case untilClose
    }

    /// What the bytes held: a piece of body, the body's end, or nothing yet.
    enum Step {
        case piece(ByteBuffer)
        case end
        case needMore
    }

    /// Why the body's framing was refused.
    struct Problem: Error {
        let reason: String
    }

    /// Lines end in CRLF only (a client's request); otherwise a bare LF ends one too (a backend's response).
    let strictLines: Bool
    /// The most the trailer fields may take together.
    let maxTrailerBytes: Int

    private enum State {
        case idle
        case length(remaining: Int)
        case untilClose
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers(bytes: Int)
    }

    private var state = State.idle

    init(strictLines: Bool, maxTrailerBytes: Int) {
        self.strictLines = strictLines
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// A body framed as `framing` follows.
    mutating func start(_ framing: Framing) {
        switch framing {
        case .length(let length): state = .length(remaining: length)
        case .chunked: state = .chunkSize
        case .untilClose: state = .untilClose
        }
    }

    /// The next piece or the end from `buffer`, consuming what it used.
    mutating func next(_ buffer: inout ByteBuffer) throws(Problem) -> Step {
        while true {
            switch state {
            case .idle:
                return .needMore
            case .length(let remaining):
                if remaining == 0 {
                    state = .idle
                    return .end
                }
                guard buffer.readableBytes > 0, let piece = buffer.readSlice(length: min(remaining, buffer.readableBytes)) else { return .needMore }
                state = .length(remaining: remaining - piece.readableBytes)
                return .piece(piece)
            case .untilClose:
                guard buffer.readableBytes > 0, let piece = buffer.readSlice(length: buffer.readableBytes) else { return .needMore }
                return .piece(piece)
            case .chunkSize:
                guard let line = try line(&buffer, limit: 4096, what: "chunk-size line") else { return .needMore }
                let size = try chunkSize(line)
                state = size == 0 ? .trailers(bytes: 0) : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard buffer.readableBytes > 0, let piece = buffer.readSlice(length: min(remaining, buffer.readableBytes)) else { return .needMore }
                state = remaining == piece.readableBytes ? .chunkEnd : .chunkData(remaining: remaining - piece.readableBytes)
                return .piece(piece)
            case .chunkEnd:
                guard let line = try line(&buffer, limit: 0, what: "chunk's end") else { return .needMore }
                guard line.readableBytes == 0 else { throw Problem(reason: "no CRLF after a chunk's data") }
                state = .chunkSize
            case .trailers(let bytes):
                guard let line = try line(&buffer, limit: maxTrailerBytes - bytes, what: "trailer field") else { return .needMore }
                if line.readableBytes == 0 {
                    state = .idle
                    return .end
                }
                do {
                    _ = try line.withUnsafeReadableBytes { raw throws(HTTPFieldLine.Problem) in try HTTPFieldLine.ranges(raw.bindMemory(to: UInt8.self)) }
                } catch {
                    throw Problem(reason: "trailer: \(error.reason)")
                }
                state = .trailers(bytes: bytes + line.readableBytes + 2)
            }
        }
    }

    /// The end of input: completes a body that runs until it (false when none was, or it stopped short).
    mutating func finish() -> Bool {
        guard case .untilClose = state else { return false }
        state = .idle
        return true
    }

    /// The next line (without its CRLF, or LF where allowed) from `buffer`, consumed; nil until it is whole.
    private func line(_ buffer: inout ByteBuffer, limit: Int, what: String) throws(Problem) -> ByteBuffer? {
        let view = buffer.readableBytesView
        guard let lf = view.firstIndex(of: 10) else {
            if buffer.readableBytes > limit + 1 { throw Problem(reason: "a \(what) over \(limit) bytes") }
            return nil
        }
        let length = lf - view.startIndex
        let cr = length >= 1 && view[lf - 1] == 13
        if strictLines && !cr { throw Problem(reason: "a \(what) ending in LF without CR") }
        let content = cr ? length - 1 : length
        guard content <= limit else { throw Problem(reason: "a \(what) over \(limit) bytes") }
        let line = buffer.readSlice(length: content) ?? ByteBuffer()
        buffer.moveReaderIndex(forwardBy: length - content + 1)
        return line
    }

    /// A chunk-size line: 1 to 15 hex digits, then optionally `;` and extensions (ignored); a backend may also put
    /// spaces or tabs before them.
    private func chunkSize(_ line: ByteBuffer) throws(Problem) -> Int {
        var size = 0, digits = 0
        for byte in line.readableBytesView {
            let value: Int
            switch byte {
            case 48...57: value = Int(byte - 48)
            case 65...70: value = Int(byte - 55)
            case 97...102: value = Int(byte - 87)
            case 59, 32, 9:
                // Only a backend may put whitespace between the size and its extensions.
                if byte != 59 && strictLines { throw Problem(reason: "byte \(byte) in a chunk size") }
                guard digits > 0 else { throw Problem(reason: "a chunk extension without a size") }
                return size
            default:
                throw Problem(reason: "byte \(byte) in a chunk size")
            }
            digits += 1
            guard digits <= 15 else { throw Problem(reason: "a chunk size of more than 15 hex digits") }
            size = size * 16 + value
        }
        guard digits > 0 else { throw Problem(reason: "an empty chunk-size line") }
        return size
    }
}
