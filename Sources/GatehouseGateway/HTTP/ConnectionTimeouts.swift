import NIOCore

/// Closes connections that hold a slot without working: no request for `idle` after the last response; a
/// request head that has not completed within `headerRead` (slowloris); a body that arrives slower than
/// `minBodyRate` bytes a second after a grace of `headerRead` (as Apache's mod_reqtimeout: each
/// `minBodyRate` bytes buy one more second). One timer per connection, moved lazily: a call only notes a
/// deadline, and the timer re-arms itself when it fires early. Not a channel handler: the connection handler
/// tells it what it reads and when a response ends, so no request part passes through another handler.
/// Confined to the connection's event loop.
final class ConnectionTimeouts {
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
    private var eventLoop: (any EventLoop)?
    private var expire: (() -> Void)?

    init(idle: TimeAmount, headerRead: TimeAmount, minBodyRate: Int = 500) {
        self.idle = idle
        self.headerRead = headerRead
        self.minBodyRate = max(1, minBodyRate)
    }

    /// Starts watching an active connection: `expire` (which closes it) is called when a deadline passes.
    func start(on eventLoop: any EventLoop, expire: @escaping () -> Void) {
        guard self.eventLoop == nil else { return }
        self.eventLoop = eventLoop
        self.expire = expire
        set(eventLoop.now + idle)
    }

    /// The connection is gone: the timer is cancelled and nothing is called any more.
    func stop() {
        timer?.cancel()
        timer = nil
        expire = nil
        eventLoop = nil
    }

    /// Bytes arrived that hold no whole head yet, between two requests: a head is under way.
    func headStarted() {
        guard phase == .idle, let eventLoop else { return }
        phase = .readingHead
        set(eventLoop.now + headerRead)
    }

    /// A request head was read: its body must come at the minimum rate after the grace.
    func receivedHead() {
        guard let eventLoop else { return }
        phase = .readingBody
        answeredEarly = false
        bodyStart = eventLoop.now
        bodyBytes = 0
        set(bodyStart + headerRead)
    }

    func receivedBody(_ count: Int) {
        bodyBytes += count
        set(bodyStart + headerRead + .nanoseconds(Int64(bodyBytes) * 1_000_000_000 / Int64(minBodyRate)))
    }

    /// The request was read whole: waiting for the pipeline is the integration timeout's business.
    func receivedEnd() {
        guard let eventLoop else { return }
        if answeredEarly {
            phase = .idle
            set(eventLoop.now + idle)
        } else {
            phase = .awaitingResponse
            set(nil)
        }
    }

    /// The response to the current request has been written in full.
    func responseEnded() {
        guard let eventLoop else { return }
        switch phase {
        case .awaitingResponse:
            phase = .idle
            set(eventLoop.now + idle)
        case .readingBody:
            answeredEarly = true
        case .idle, .readingHead:
            break
        }
    }

    /// Notes the new deadline; the timer is only moved when it must fire sooner than it would.
    private func set(_ deadline: NIODeadline?) {
        self.deadline = deadline
        guard let deadline, timer == nil || deadline < timerDeadline else { return }
        arm(at: deadline)
    }

    private func arm(at when: NIODeadline) {
        guard let eventLoop else { return }
        timer?.cancel()
        timerDeadline = when
        timer = eventLoop.assumeIsolated().scheduleTask(deadline: when) { [self] in self.fire() }
    }

    private func fire() {
        timer = nil
        timerDeadline = .distantFuture
        guard let deadline, let eventLoop else { return }
        if eventLoop.now >= deadline {
            expire?()
        } else {
            arm(at: deadline)
        }
    }
}
