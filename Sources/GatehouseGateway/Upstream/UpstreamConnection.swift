import NIOCore
import NIOHTTP1

/// One keep-alive connection to a backend: it carries one exchange at a time, writes its request as bytes,
/// frames the response from the bytes read (`UpstreamResponseParser`) and hands it to the exchange, and holds
/// reads while the client cannot take more.
final class UpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let endpoint: UpstreamEndpoint
    var pool: UpstreamPool?
    private var parser = UpstreamResponseParser()
    /// Bytes of a response head that has not arrived whole yet.
    private var partial: ByteBuffer?
    private var context: ChannelHandlerContext?
    private var exchange: UpstreamExchange?
    private var reads = ReadGate()
    /// The one timer that watches the exchanges' timeouts, armed for the earliest time one could be due
    /// and re-armed lazily when it fires (a call that ends early leaves it as it is).
    private var timer: Scheduled<Void>?
    private var timerDeadline = NIODeadline.distantFuture
    /// How the timer reaches this connection (never weakly: see `HandlerLink`); cut when the handler is removed.
    private var link: HandlerLink<UpstreamConnection>?

    init(endpoint: UpstreamEndpoint) {
        self.endpoint = endpoint
    }

    var isActive: Bool { context?.channel.isActive ?? false }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        link = HandlerLink(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        link?.handler = nil
        link = nil
    }

    /// Starts `exchange` on this connection.
    func run(_ exchange: UpstreamExchange, reused: Bool) {
        self.exchange = exchange
        exchange.start(on: self, reused: reused)
    }

    /// The running exchange is due at `deadline` unless it hears from the backend.
    func watch(until deadline: NIODeadline) {
        guard timer == nil || deadline < timerDeadline, let context else { return }
        timer?.cancel()
        arm(deadline, on: context.eventLoop)
    }

    private func arm(_ deadline: NIODeadline, on loop: any EventLoop) {
        timerDeadline = deadline
        timer = loop.assumeIsolated().scheduleTask(deadline: deadline) { [link] in link?.handler?.timerFired(loop) }
    }

    private func timerFired(_ loop: any EventLoop) {
        timer = nil
        guard let exchange, let next = exchange.checkTimeout(now: .now()) else { return }
        arm(next, on: loop)
    }

    /// The exchange is over: the connection goes back to the pool (or is closed).
    func finish(reusable: Bool) {
        exchange = nil
        resumeReads()
        pool?.release(self, reusable: reusable)
    }

    /// Writes a request head; the parser learns which method the next response answers.
    func writeHead(_ request: UpstreamRequestHead, flush: Bool) {
        guard let context else { return }
        parser.expectResponse(to: request.method)
        context.write(wrapOutboundOut(request.bytes), promise: nil)
        guard flush else { return }
        if let batch = pool?.flushes { batch.flush(context) } else { context.flush() }
    }

    /// Writes a piece of the request body, framed as a chunk when the body has no declared length.
    func writeBody(_ chunk: ByteBuffer, chunked: Bool) {
        guard let context else { return }
        if chunked {
            HTTPHeadWriter.writeChunk(chunk, allocator: context.channel.allocator) { context.write(wrapOutboundOut($0), promise: nil) }
        } else {
            context.write(wrapOutboundOut(chunk), promise: nil)
        }
        context.flush()
    }

    /// Ends the request body (the last chunk of a chunked one).
    func writeEnd(chunked: Bool) {
        guard let context else { return }
        if chunked { context.write(wrapOutboundOut(HTTPHeadWriter.lastChunk), promise: nil) }
        context.flush()
    }

    func pauseReads() { reads.set(held: true, context: context) }

    func resumeReads() { reads.set(held: false, context: context) }

    func close() {
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var held = partial {
            partial = nil
            held.writeBuffer(&buffer)
            buffer = held
        }
        do {
            while let event = try parser.next(&buffer) {
                // Nothing asked for it (a stray response): the parser refuses it, and the connection goes below.
                guard let exchange else { break }
                switch event {
                case .head(let head): exchange.receivedHead(head, facts: parser.facts)
                case .body(let chunk): exchange.receivedBody(chunk)
                case .end: exchange.receivedEnd()
                }
            }
        } catch {
            errorCaught(context: context, error: error)
            return
        }
        if buffer.readableBytes > 0 {
            // The rest of a head (a body piece is always taken whole): kept until the next read.
            buffer.discardReadBytes()
            partial = buffer
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        exchange?.readComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        exchange?.upstreamWritabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        // A response that runs until the connection ends is complete now.
        if case .end? = parser.finish(), let exchange { exchange.receivedEnd() }
        if let exchange {
            self.exchange = nil
            exchange.connectionClosed(UpstreamError.closedBeforeResponse)
            pool?.release(self, reusable: false)
        } else {
            pool?.evict(self)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let exchange {
            self.exchange = nil
            exchange.connectionClosed(error)
            pool?.release(self, reusable: false)
        }
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        reads.read(context)
    }
}
