import GatehouseCore
import NIOCore
import NIOHTTP1

/// One call to a backend: sends the request (streaming the client's body with backpressure), delivers the
/// response head as the pipeline's answer and then streams the body to the client connection. Times out at
/// the integration timeout (504), fails with 502 when the backend cannot be reached or answers garbage, and
/// retries once on a fresh connection when a reused keep-alive connection turns out to be closed.
/// Confined to the client connection's event loop. It is the call's pending response itself, and it asks its stage
/// for the method's response directly: a separate promise object and a closure were two allocations per call.
final class UpstreamExchange: PendingResponse, RequestBodyConsumer, ResponseBodySource {
    let endpoint: UpstreamEndpoint
    let timeout: TimeAmount
    private let head: UpstreamRequestHead
    private let body: RequestBody?
    private let context: RequestContext
    private let pool: UpstreamPool
    /// Makes the method's response from the backend's head.
    private let stage: ProxyStage
    private let choice: ResponseTemplateChoice?

    private enum State { case connecting, sending, streaming, done }
    private var state = State.connecting
    private var connection: UpstreamConnection?
    private var requestSent = false
    private var responseStarted = false
    private var retried = false
    private var keepAlive = true
    private var timer: Scheduled<Void>?
    private var lastActivity = NIODeadline.now()
    private var sink: (any ResponseBodySink)?
    /// Body pieces read before the client's side started streaming (an empty array allocates nothing; NIO's
    /// `CircularBuffer` allocated room for one piece per call even when none was ever held).
    private var held: [ByteBuffer] = []
    private var heldEnd = false
    private var heldFailure: (any Error)?

    init(endpoint: UpstreamEndpoint, head: UpstreamRequestHead, body: RequestBody?, timeout: TimeAmount, context: RequestContext,
         pool: UpstreamPool, stage: ProxyStage, choice: ResponseTemplateChoice?) {
        self.endpoint = endpoint
        self.head = head
        self.body = body
        self.timeout = timeout
        self.context = context
        self.pool = pool
        self.stage = stage
        self.choice = choice
    }

    /// The call's response, when the backend's head (or a failure) comes.
    var pending: PendingResponse { self }

    /// Whether the call is over (answered and streamed, or failed): a waiting one is skipped.
    var isFinished: Bool { state == .done }

    /// Starts the call: a connection from the pool. The timeout is watched by the connection the call runs
    /// on (one timer per connection, re-armed lazily, not one per call); a call that waits in line for a
    /// connection arms its own.
    func begin() {
        let start = NIODeadline.now()
        context.integrationStart = start
        deadline = start + timeout
        pool.execute(self)
    }

    /// When the call times out unless something arrives before.
    private(set) var deadline = NIODeadline.distantFuture

    /// The call waits in line for a connection: it watches its own timeout meanwhile.
    func waitsInLine() {
        guard timer == nil else { return }
        timer = pool.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            self.timer = nil
            if let next = self.checkTimeout(now: .now()) {
                self.timer = self.pool.eventLoop.assumeIsolated().scheduleTask(deadline: next) { [self] in _ = self.checkTimeout(now: .now()) }
            }
        }
    }

    // MARK: request

    func start(on connection: UpstreamConnection, reused: Bool) {
        guard state == .connecting else {
            connection.finish(reusable: true)
            return
        }
        self.connection = connection
        timer?.cancel()
        timer = nil
        connection.watch(until: deadline)
        state = .sending
        retried = retried || !reused
        connection.writeHead(head, flush: body == nil)
        if let body {
            body.attach(self)
        } else {
            requestSent = true
        }
    }

    /// A body without a declared length goes to the backend chunked (the stage set `Transfer-Encoding`).
    private var chunked: Bool { body?.length == nil }

    func requestBodyChunk(_ chunk: ByteBuffer) {
        guard let connection, state != .done else { return }
        connection.writeBody(chunk, chunked: chunked)
        if !connection.isWritable { body?.consumerBackpressure(true) }
    }

    func requestBodyEnd() {
        guard let connection, state != .done else { return }
        connection.writeEnd(chunked: chunked)
        requestSent = true
    }

    func requestBodyFailed(_ error: any Error) {
        // The client's body is over the limit or the client left: the backend must not see a truncated body
        // as a whole one, so the connection is dropped.
        fail(error, type: .integrationFailure)
    }

    func upstreamWritabilityChanged(_ writable: Bool) {
        body?.consumerBackpressure(!writable)
    }

    // MARK: response

    func receivedHead(_ head: UpstreamResponseHead, facts: ResponseHeadFacts) {
        guard state == .sending, head.status.code >= 200 else { return }  // 1xx interim answers are not forwarded
        state = .streaming
        responseStarted = true
        keepAlive = facts.keepAlive(head.version)
        lastActivity = NIODeadline.now()
        if let start = context.integrationStart {
            context.integrationLatencyMs = Double((lastActivity - start).nanoseconds) / 1_000_000
        }
        context.integrationStatus = Int(head.status.code)
        complete(stage.response(head, facts: facts, source: self, context: context, choice: choice))
    }

    func receivedBody(_ chunk: ByteBuffer) {
        guard state == .streaming else { return }
        lastActivity = NIODeadline.now()
        if let sink { sink.responseBodyChunk(chunk) } else { held.append(chunk) }
    }

    func readComplete() {
        sink?.responseBodyFlush()
    }

    func receivedEnd() {
        guard state == .streaming else { return }
        state = .done
        timer?.cancel()
        let reusable = keepAlive && requestSent
        let connection = self.connection
        self.connection = nil
        connection?.finish(reusable: reusable)
        if let sink { sink.responseBodyEnd() } else { heldEnd = true }
    }

    // MARK: ResponseBodySource

    func start(_ sink: any ResponseBodySink) {
        self.sink = sink
        let early = held
        held = []
        for chunk in early { sink.responseBodyChunk(chunk) }
        if let heldFailure {
            sink.responseBodyFailed(heldFailure)
        } else if heldEnd {
            sink.responseBodyEnd()
        }
        // Otherwise no flush here: the head goes out with the body read in the same pass (one write, one
        // wake-up of the client), flushed when the backend's read completes.
    }

    func pause() { connection?.pauseReads() }

    func resume() { connection?.resumeReads() }

    func cancel() {
        guard state != .done else { return }
        fail(UpstreamError.cancelled, type: .integrationFailure)
    }

    // MARK: failures

    func failToConnect(_ error: any Error) {
        guard state == .connecting else { return }
        fail(error, type: .integrationFailure)
    }

    /// The connection closed or broke while this call was on it.
    func connectionClosed(_ error: any Error) {
        guard state != .done else { return }
        connection = nil
        if case UpstreamError.closedBeforeResponse = error, state == .sending, !responseStarted, !retried, body == nil,
           Self.idempotent.contains(head.method) {
            // A reused connection the backend had already closed: try once more on a new one.
            retried = true
            state = .connecting
            pool.execute(self, fresh: true)
            return
        }
        fail(state == .streaming ? UpstreamError.closedMidBody : error, type: .integrationFailure)
    }

    static let idempotent: [HTTPMethod] = [.GET, .HEAD, .OPTIONS, .PUT, .DELETE]

    /// Fails the call with a 504 if its time is up, or answers when to look again (nil: over, or failed now).
    /// A body that keeps coming is not cut; one that stalls for a whole timeout is.
    func checkTimeout(now: NIODeadline) -> NIODeadline? {
        guard state != .done else { return nil }
        let due = state == .streaming ? max(deadline, lastActivity + timeout) : deadline
        if now < due { return due }
        fail(UpstreamError.timedOut, type: .integrationTimeout)
        return nil
    }

    private func fail(_ error: any Error, type: GatewayResponseType) {
        guard state != .done else { return }
        let wasStreaming = state == .streaming
        state = .done
        timer?.cancel()
        if let connection {
            self.connection = nil
            connection.finish(reusable: false)
        }
        if let start = context.integrationStart, context.integrationLatencyMs == nil {
            context.integrationLatencyMs = Double((NIODeadline.now() - start).nanoseconds) / 1_000_000
        }
        if wasStreaming {
            if let sink { sink.responseBodyFailed(error) } else { heldFailure = error }
        } else {
            let detail = type == .integrationTimeout ? nil : String(describing: error).prefix(200).description
            complete(context.fail(type, detail: detail))
        }
    }
}
