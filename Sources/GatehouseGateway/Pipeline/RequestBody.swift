import NIOCore

/// Receives a request body as it arrives (the integration's upstream connection).
public protocol RequestBodyConsumer: AnyObject {
    func requestBodyChunk(_ chunk: ByteBuffer)
    func requestBodyEnd()
    func requestBodyFailed(_ error: any Error)
}

/// A request body streaming from the client: the connection feeds it, one consumer reads it. Chunks that
/// arrive before the consumer attaches are held, up to `holdLimit` bytes before reading from the client
/// pauses; a consumer that cannot keep up pauses it too. Confined to the connection's event loop.
public final class RequestBody {
    /// The declared length (`Content-Length`), when there is one.
    public let length: Int?
    private var held = CircularBuffer<ByteBuffer>(initialCapacity: 2)
    private var heldBytes = 0
    private var ended = false
    private var failure: (any Error)?
    private weak var consumer: (any RequestBodyConsumer)?
    private var consumerPaused = false
    /// Told when reading from the client should pause (`true`) or go on (`false`).
    var onPause: ((Bool) -> Void)?
    private var readingPaused = false
    static let holdLimit = 256 * 1024

    public init(length: Int?) {
        self.length = length
    }

    /// The consumer starts reading: held chunks first, then each chunk as it arrives.
    public func attach(_ consumer: any RequestBodyConsumer) {
        self.consumer = consumer
        while let chunk = held.popFirst() { consumer.requestBodyChunk(chunk) }
        heldBytes = 0
        if let failure {
            consumer.requestBodyFailed(failure)
        } else if ended {
            consumer.requestBodyEnd()
        }
        updatePause()
    }

    /// The consumer cannot take more now (`true`) or can again (`false`).
    public func consumerBackpressure(_ paused: Bool) {
        consumerPaused = paused
        updatePause()
    }

    /// Whether all of the body has arrived.
    public var isComplete: Bool { ended }

    func append(_ chunk: ByteBuffer) {
        guard !ended, failure == nil else { return }
        if let consumer {
            consumer.requestBodyChunk(chunk)
        } else {
            held.append(chunk)
            heldBytes += chunk.readableBytes
            updatePause()
        }
    }

    func finish() {
        guard !ended, failure == nil else { return }
        ended = true
        consumer?.requestBodyEnd()
        updatePause()
    }

    func fail(_ error: any Error) {
        guard !ended, failure == nil else { return }
        failure = error
        held.removeAll()
        heldBytes = 0
        consumer?.requestBodyFailed(error)
        updatePause()
    }

    private func updatePause() {
        let pause = !ended && failure == nil && (consumerPaused || heldBytes > Self.holdLimit)
        if pause != readingPaused {
            readingPaused = pause
            onPause?(pause)
        }
    }
}
