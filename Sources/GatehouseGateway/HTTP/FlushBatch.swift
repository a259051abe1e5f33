import NIOConcurrencyHelpers
import NIOCore

/// Flushes the channels written during one pass of an event loop together, after every ready socket of the pass
/// has been read, instead of one `write` per call as each is answered. A proxy that is the bottleneck finds its
/// peers asleep: each flush woke one (an inter-processor interrupt in a VM), and `perf` put a third of a proxied
/// call in those two writes. Flushed once per pass, a peer is woken once and finds every request or response of the
/// pass waiting. Confined to its loop.
final class FlushBatch {
    private let eventLoop: any EventLoop
    private var pending: [ChannelHandlerContext] = []
    private var spare: [ChannelHandlerContext] = []

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        pending.reserveCapacity(64)
        spare.reserveCapacity(64)
    }

    /// Flushes `context` at the end of the loop's current pass (a task runs after the pass's I/O events).
    func flush(_ context: ChannelHandlerContext) {
        pending.append(context)
        if pending.count == 1 { eventLoop.assumeIsolated().execute { self.run() } }
    }

    private func run() {
        swap(&pending, &spare)
        // A flush may write and so ask for another flush: it goes into the next batch.
        for context in spare { context.flush() }
        spare.removeAll(keepingCapacity: true)
    }
}

/// One `FlushBatch` per event loop of a group, made up front and looked up by loop.
public final class FlushBatches: Sendable {
    private let batches: [ObjectIdentifier: NIOLoopBound<FlushBatch>]

    public init(group: any EventLoopGroup) throws {
        var batches: [ObjectIdentifier: NIOLoopBound<FlushBatch>] = [:]
        for loop in group.makeIterator() {
            batches[ObjectIdentifier(loop)] = try loop.submit { NIOLoopBound(FlushBatch(eventLoop: loop), eventLoop: loop) }.wait()
        }
        self.batches = batches
    }

    /// An empty set: every flush is immediate (a channel on a loop of no group, as in handler tests).
    public init() {
        batches = [:]
    }

    /// The batch of `loop`, nil for a loop outside the group; call on that loop.
    func batch(for loop: any EventLoop) -> FlushBatch? {
        batches[ObjectIdentifier(loop)]?.value
    }
}
