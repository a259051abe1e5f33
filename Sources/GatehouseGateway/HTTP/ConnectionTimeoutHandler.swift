import NIOCore
import NIOHTTP1

/// Closes connections that hold a slot without working: no request for `idle` after the last response,
/// or a request whose head has started but not completed within `headerRead` (slowloris).
final class ConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State { case idle, readingHead, inRequest }

    private let idle: TimeAmount
    private let headerRead: TimeAmount
    private var state = State.idle
    private var timer: Scheduled<Void>?

    init(idle: TimeAmount, headerRead: TimeAmount) {
        self.idle = idle
        self.headerRead = headerRead
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context: context, after: idle) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context: context, after: idle)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            state = .inRequest
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Bytes arrived but no complete head was decoded from them: a request head is under way.
        if state == .idle {
            state = .readingHead
            arm(context: context, after: headerRead)
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            state = .idle
            arm(context: context, after: idle)
        }
        context.write(data, promise: promise)
    }

    private func arm(context: ChannelHandlerContext, after delay: TimeAmount) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
    }
}
