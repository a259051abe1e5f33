import NIOCore
import NIOHTTP1

/// Closes connections that hold a slot without working: no request for `idle` after the last response; a
/// request head that has not completed within `headerRead` (slowloris); a body that arrives slower than
/// `minBodyRate` bytes a second after a grace of `headerRead` (as Apache's mod_reqtimeout: each
/// `minBodyRate` bytes buy one more second). One timer per connection, moved lazily: a call only
/// notes a deadline, and the timer re-arms itself when it fires early. Inbound only (writes do not pass
/// through it): the connection handler tells it when a response has ended.
final class ConnectionTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let idle: TimeAmount
    private let headerRead: TimeAmount
    private let minBodyRate: Int
    /// Where the connection is between two requests.
    private enum Phase { case idle, readingHead, readingBody, awaitingResponse }
    private var phase = Phase.idle
    /// The response ended while the request body was still coming (a 413 or 429 to an upload).
    private var answeredEarly = false
    private var bodyStart = NIODeadline.distantPast
    private var bodyBytes = 0
    private var deadline: NIODeadline?
    private var timer: Scheduled<Void>?
    private var timerDeadline = NIODeadline.distantFuture
    private var context: ChannelHandlerContext?
    /// A response ended while this read was being handled (a synchronous answer, such as MOCK's).
    private var answeredInThisRead = false

    init(idle: TimeAmount, headerRead: TimeAmount, minBodyRate: Int = 500) {
        self.idle = idle
        self.headerRead = headerRead
        self.minBodyRate = max(1, minBodyRate)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { set(context.eventLoop.now + idle, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        set(context.eventLoop.now + idle, context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            phase = .readingBody
            answeredEarly = false
            bodyStart = context.eventLoop.now
            bodyBytes = 0
            set(bodyStart + headerRead, context: context)
        case .body(let chunk):
            bodyBytes += chunk.readableBytes
            set(bodyStart + headerRead + .nanoseconds(Int64(bodyBytes) * 1_000_000_000 / Int64(minBodyRate)), context: context)
        case .end:
            if answeredEarly {
                phase = .idle
                answeredInThisRead = true
                set(context.eventLoop.now + idle, context: context)
            } else {
                // Waiting for the pipeline is the integration timeout's business.
                phase = .awaitingResponse
                set(nil, context: context)
            }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Bytes arrived but no complete head was decoded from them: a request head is under way. (Not when
        // the request they carried was answered within the read.)
        defer { answeredInThisRead = false }
        if phase == .idle && !answeredInThisRead {
            phase = .readingHead
            set(context.eventLoop.now + headerRead, context: context)
        }
        context.fireChannelReadComplete()
    }

    /// The response to the current request has been written in full.
    func responseEnded() {
        guard let context else { return }
        switch phase {
        case .awaitingResponse:
            phase = .idle
            answeredInThisRead = true
            set(context.eventLoop.now + idle, context: context)
        case .readingBody:
            answeredEarly = true
        case .idle, .readingHead:
            break
        }
    }

    /// Notes the new deadline; the timer is only moved when it must fire sooner than it would.
    private func set(_ deadline: NIODeadline?, context: ChannelHandlerContext) {
        self.deadline = deadline
        guard let deadline, timer == nil || deadline < timerDeadline else { return }
        arm(at: deadline, context: context)
    }

    private func arm(at when: NIODeadline, context: ChannelHandlerContext) {
        timer?.cancel()
        timerDeadline = when
        let loop = context.eventLoop.assumeIsolated()
        timer = loop.scheduleTask(deadline: when) { [self] in self.fire(context: context) }
    }

    private func fire(context: ChannelHandlerContext) {
        timer = nil
        timerDeadline = .distantFuture
        guard let deadline else { return }
        if context.eventLoop.now >= deadline {
            context.close(promise: nil)
        } else {
            arm(at: deadline, context: context)
        }
    }
}
