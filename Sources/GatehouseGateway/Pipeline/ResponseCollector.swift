import NIOCore

/// Reads a streamed response body whole (for a response mapping template, which needs all of it), up to a
/// limit; past the limit the backend is let go and the read fails. Confined to the connection's event loop.
final class ResponseCollector: ResponseBodySink {
    struct TooLarge: Error, CustomStringConvertible {
        let limit: Int
        var description: String { "the backend's body is larger than \(limit) bytes" }
    }

    private var bytes: [UInt8] = []
    private let limit: Int
    private var source: (any ResponseBodySource)?
    private var done: ((Result<[UInt8], any Error>) -> Void)?
    /// A source holds its sink weakly or not at all: the collector keeps itself until the body is over.
    private var retained: ResponseCollector?

    /// AWS's payload limit for a mapped response.
    static let defaultLimit = 10 * 1024 * 1024

    private init(source: any ResponseBodySource, limit: Int, done: @escaping (Result<[UInt8], any Error>) -> Void) {
        self.source = source
        self.limit = limit
        self.done = done
    }

    static func collect(_ source: any ResponseBodySource, limit: Int = defaultLimit, done: @escaping (Result<[UInt8], any Error>) -> Void) {
        let collector = ResponseCollector(source: source, limit: limit, done: done)
        collector.retained = collector
        source.start(collector)
    }

    func responseBodyChunk(_ chunk: ByteBuffer) {
        guard done != nil else { return }
        if bytes.count + chunk.readableBytes > limit {
            let source = self.source
            finish(.failure(TooLarge(limit: limit)))
            source?.cancel()
            return
        }
        bytes.append(contentsOf: chunk.readableBytesView)
    }

    func responseBodyFlush() {}

    func responseBodyEnd() { finish(.success(bytes)) }

    func responseBodyFailed(_ error: any Error) { finish(.failure(error)) }

    private func finish(_ result: Result<[UInt8], any Error>) {
        let done = self.done
        self.done = nil
        source = nil
        retained = nil
        bytes = []
        done?(result)
    }
}
