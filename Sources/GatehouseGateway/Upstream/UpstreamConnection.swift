import NIOCore
import NIOHTTP1

/// One keep-alive connection to a backend, on NIOHTTP1's client codec: it carries one exchange at a
/// time, hands the response parts to it, and holds reads while the client cannot take more.
final class UpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let endpoint: UpstreamEndpoint
    var pool: UpstreamPool?
    private var context: ChannelHandlerContext?
    private var exchange: UpstreamExchange?
    private var reads = ReadGate()

    init(endpoint: UpstreamEndpoint) {
        self.endpoint = endpoint
    }

    var isActive: Bool { context?.channel.isActive ?? false }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Starts `exchange` on this connection.
    func run(_ exchange: UpstreamExchange, reused: Bool) {
        self.exchange = exchange
        exchange.start(on: self, reused: reused)
    }

    /// The exchange is over: the connection goes back to the pool (or is closed).
    func finish(reusable: Bool) {
        exchange = nil
        resumeReads()
        pool?.release(self, reusable: reusable)
    }

    func write(_ part: HTTPClientRequestPart, flush: Bool) {
        guard let context else { return }
        context.write(wrapOutboundOut(part), promise: nil)
        if flush { context.flush() }
    }

    func pauseReads() { reads.set(held: true, context: context) }

    func resumeReads() { reads.set(held: false, context: context) }

    func close() {
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard let exchange else { return }  // nothing asked for it: a stray response, dropped with the connection below
        switch part {
        case .head(let head): exchange.receivedHead(head)
        case .body(let chunk): exchange.receivedBody(chunk)
        case .end: exchange.receivedEnd()
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
