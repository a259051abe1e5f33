import Crypto
import GatehouseCore
import NIOCore

/// Reads a whole request body, hashing it as it comes, then hands over a body that replays it (for a stage
/// that must see all of the body before the call goes on). Confined to the connection's event loop.
final class BodyCollector: RequestBodyConsumer {
    private var chunks: [ByteBuffer] = []
    private var hasher = SHA256()
    private let length: Int?
    private var done: ((Result<(RequestBody, String, [ByteBuffer]), any Error>) -> Void)?
    /// A body holds its consumer weakly: the collector keeps itself until the body ends or fails.
    private var retained: BodyCollector?

    /// `done` gets the body to replay, its SHA-256 (hex) and its chunks.
    init(length: Int?, done: @escaping (Result<(RequestBody, String, [ByteBuffer]), any Error>) -> Void) {
        self.length = length
        self.done = done
        retained = self
    }

    func requestBodyChunk(_ chunk: ByteBuffer) {
        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        chunks.append(chunk)
    }

    func requestBodyEnd() {
        let replay = RequestBody(length: length)
        for chunk in chunks { replay.append(chunk) }
        replay.finish()
        let read = chunks
        chunks = []
        let hash = SigV4.hex(hasher.finalize())
        let done = self.done
        self.done = nil
        retained = nil
        done?(.success((replay, hash, read)))
    }

    func requestBodyFailed(_ error: any Error) {
        let done = self.done
        self.done = nil
        chunks = []
        retained = nil
        done?(.failure(error))
    }
}

extension BodyCollector {
    /// Reads a request's whole body (the connection's body limit bounds it) and calls `done` with its bytes and a
    /// body that replays them; a request without a body gets empty bytes and no body, at once.
    static func read(_ request: GatewayRequest, done: @escaping (Result<(replay: RequestBody?, bytes: [UInt8]), any Error>) -> Void) {
        guard let body = request.body else {
            done(.success((nil, [])))
            return
        }
        let collector = BodyCollector(length: body.length) { result in
            switch result {
            case .failure(let error):
                done(.failure(error))
            case .success(let (replay, _, chunks)):
                var bytes: [UInt8] = []
                bytes.reserveCapacity(chunks.reduce(0) { $0 + $1.readableBytes })
                for chunk in chunks { bytes.append(contentsOf: chunk.readableBytesView) }
                done(.success((replay, bytes)))
            }
        }
        body.attach(collector)
    }
}
