import CompressNIO
import NIOCore
import NIOHTTP1

/// Response compression (AWS's `minimumCompressionSize`): an answer at least that long is gzip- or
/// deflate-encoded for a client whose `Accept-Encoding` takes it; a backend's streamed body is compressed as it
/// streams (framed chunked, since its compressed length is not known in advance). An answer already encoded,
/// one without a body, or a client that accepts neither is left as it is.
enum ResponseCompression {
    /// The encoding to use for `headers`' `Accept-Encoding`: gzip over deflate, none at q=0.
    static func accepted(_ headers: HTTPHeaders) -> String? {
        var best: (String, Double)?
        for value in headers[canonicalForm: "accept-encoding"] {
            let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let name = parts.first, name == "gzip" || name == "deflate" || name == "*" else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            let coding = name == "*" ? "gzip" : name
            guard q > 0 else { continue }
            if best == nil || q > best?.1 ?? 0 || (q == best?.1 && coding == "gzip") { best = (coding, q) }
        }
        return best?.0
    }

    static func algorithm(_ encoding: String) -> CompressionAlgorithm {
        encoding == "gzip" ? .gzip() : .deflate()
    }

    /// `response` encoded with `encoding` when its body is at least `minimum` bytes (or of unknown length).
    static func apply(to response: GatewayResponse, minimum: Int, encoding: String, isHead: Bool) -> GatewayResponse {
        let code = response.status.code
        guard !isHead, code >= 200, code != 204, code != 304, !response.headers.contains(name: "content-encoding") else { return response }
        var compressed = response
        switch response.body {
        case .buffer(var buffer):
            guard buffer.readableBytes >= minimum, buffer.readableBytes > 0,
                  let encoded = try? buffer.compress(with: algorithm(encoding)) else { return response }
            compressed.body = .buffer(encoded)
        case .stream(let source, let expectedLength):
            if let expectedLength, expectedLength < minimum { return response }
            guard let wrapped = try? CompressingSource(upstream: source, algorithm: algorithm(encoding)) else { return response }
            compressed.body = .stream(wrapped, expectedLength: nil)
        }
        compressed.headers.remove(name: "content-length")
        compressed.headers.replaceOrAdd(name: "Content-Encoding", value: encoding)
        compressed.headers.add(name: "Vary", value: "Accept-Encoding")
        return compressed
    }
}

/// A backend body compressed as it streams: each chunk deflated with a sync flush (so the client can decode what
/// has arrived), the stream finished at the end; pause, resume and cancel pass to the backend.
final class CompressingSource: ResponseBodySource, ResponseBodySink {
    private let upstream: any ResponseBodySource
    private let compressor: any NIOCompressor
    private weak var sink: (any ResponseBodySink)?
    private var finished = false

    init(upstream: any ResponseBodySource, algorithm: CompressionAlgorithm) throws {
        self.upstream = upstream
        compressor = algorithm.compressor
        try compressor.startStream()
    }

    func start(_ sink: any ResponseBodySink) {
        self.sink = sink
        upstream.start(self)
    }

    func pause() { upstream.pause() }
    func resume() { upstream.resume() }

    func cancel() {
        upstream.cancel()
        finish()
    }

    private func deflate(_ chunk: ByteBuffer, flush: CompressNIOFlush) throws -> ByteBuffer {
        var input = chunk
        var output = ByteBufferAllocator().buffer(capacity: compressor.maxSize(from: input) + 64)
        try compressor.streamDeflate(from: &input, to: &output, flush: flush)
        return output
    }

    func responseBodyChunk(_ chunk: ByteBuffer) {
        do {
            let output = try deflate(chunk, flush: .sync)
            if output.readableBytes > 0 { sink?.responseBodyChunk(output) }
        } catch {
            responseBodyFailed(error)
        }
    }

    func responseBodyFlush() { sink?.responseBodyFlush() }

    func responseBodyEnd() {
        do {
            let output = try deflate(ByteBuffer(), flush: .finish)
            if output.readableBytes > 0 { sink?.responseBodyChunk(output) }
            finish()
            sink?.responseBodyEnd()
        } catch {
            responseBodyFailed(error)
        }
    }

    func responseBodyFailed(_ error: any Error) {
        finish()
        sink?.responseBodyFailed(error)
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        try? compressor.finishStream()
    }
}
