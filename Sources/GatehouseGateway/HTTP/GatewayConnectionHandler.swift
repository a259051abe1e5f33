import Foundation
import GatehouseCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The transport of one client connection, on its event loop from the first byte to the last: frames each
/// request from the bytes read (`RequestParser`, no decoder handler in front and no request part boxed per
/// event), runs the route stage and the method's compiled chain, writes the response (streaming a backend's
/// body with backpressure both ways), and hands the call to the log stage. It knows nothing of what the stages
/// do; it enforces the body limit (413), `Expect: 100-continue`, keep-alive and the connection's timeouts,
/// answers what the parser rejects (431, 414, 400), and writes responses as bytes (`HTTPHeadWriter`).
final class GatewayConnectionHandler: ChannelDuplexHandler, ResponseBodySink, PendingResponseReceiver {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What every connection shares: the current snapshot, the limits, the log stage, the registry.
    struct Shared: Sendable {
        let table: RoutingTableBox
        let maxBodyBytes: Int
        let maxURIBytes: Int
        let log: LogStage
        let connections: ConnectionRegistry
        var trustedProxies: [CIDR] = []
        /// The listener was started with `--private`: PRIVATE APIs are served on it.
        var privateListener = false
        /// Responses are flushed once per pass of the event loop.
        var flushes = FlushBatches()
    }

    private enum ResponseState { case none, streaming, done }

    /// One call in progress on this connection (a class: the handler updates it in place, never copies it).
    private final class Call {
        let head: HTTPRequestHead
        let context: RequestContext
        var body: RequestBody?
        let receivedAt: NIODeadline
        let receivedDate: Date
        var requestBytes = 0
        var requestComplete = false
        /// Body bytes are read and dropped (the call was answered, or is over the limit).
        var discardingBody = false
        var keepAlive: Bool
        var response = ResponseState.none
        var status = 0
        var responseBytes = 0
        var source: (any ResponseBodySource)?
        /// The response's own headers and the connection's fields written after them.
        var responseHeaders = HTTPHeaders()
        var framing: ResponseFraming?
        /// The streamed body goes out in chunks (HTTP/1.1, no length known).
        var chunked = false
        /// Whether execution logging keeps the start of each body for this call.
        var traces: Bool { context.method?.tracesBodies ?? false }
        var requestPrefix = ByteBuffer()
        var responsePrefix = ByteBuffer()
        var failure: String?
        var logged = false

        init(head: HTTPRequestHead, context: RequestContext, receivedAt: NIODeadline, receivedDate: Date, keepAlive: Bool) {
            self.head = head
            self.context = context
            self.receivedAt = receivedAt
            self.receivedDate = receivedDate
            self.keepAlive = keepAlive
        }
    }

    private let shared: Shared
    private let timeouts: ConnectionTimeouts
    private var parser: RequestParser
    /// Bytes read and not parsed yet: an unfinished head, or pipelined requests waiting for the call before them.
    private var inbound: ByteBuffer?
    /// `parseInbound` is running (a call answered inside it asks for the next request: the running pass takes it).
    private var parsing = false
    private var context: ChannelHandlerContext?
    private var slot: ConnectionRegistry.Slot?
    private var call: Call?
    private var remote: SocketAddress?
    private var sourceIp: String?
    /// The request body's consumer cannot take more.
    private var readsPaused = false
    /// Reads are held while the body's consumer is paused or a pipelined request waits in `queued`.
    private var reads = ReadGate()
    private var requestIds = RequestIdGenerator()
    private var tables = RoutingTableBox.Reader()
    /// What the TLS handshake established (TLS listener only).
    private var tls: TLSConnectionInfo?
    /// This loop's flush batch (nil: flush at once).
    private var flushBatch: FlushBatch?
    /// How timers and pending responses reach this handler (never weakly: see `HandlerLink`); cut when it is removed.
    private var link: HandlerLink<GatewayConnectionHandler>?
    /// The last response head's buffer, to write the next head into: once its write is done the storage is this
    /// handler's alone and `clear` reuses it (two allocations fewer a call); while a write still holds it (a
    /// pipelined response in the same flush), `clear` allocates a new one, so a head is never written over.
    private var spareHead: ByteBuffer?
    /// A streamed response's head, when its body is small and of a known length: held until the body's first piece
    /// (which is copied behind it: one write and one iovec instead of two) or, at the latest, until the backend's
    /// read completes, so a head is never kept waiting on the backend.
    private var heldHead: ByteBuffer?
    /// A buffer larger than this is not kept between calls (an idle connection holds at most this much).
    static let spareHeadLimit = 2048

    init(shared: Shared, parser: RequestParser, timeouts: ConnectionTimeouts) {
        self.shared = shared
        self.parser = parser
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        link = HandlerLink(self)
        flushBatch = shared.flushes.batch(for: context.eventLoop)
        remote = context.channel.remoteAddress
        sourceIp = remote?.ipAddress
        slot = shared.connections.add(context.channel)
        if context.channel.isActive { startTimeouts(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimeouts(context)
        context.fireChannelActive()
    }

    private func startTimeouts(_ context: ChannelHandlerContext) {
        timeouts.start(on: context.eventLoop) { [link] in link?.handler?.context?.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Always called when the channel goes away, even one closed before it became active.
        timeouts.stop()
        shared.connections.remove(context.channel)
        slot = nil
        self.context = nil
        link?.handler = nil
        link = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeouts.stop()
        if let call {
            call.body?.fail(GatewayError.protocolViolation("the client closed the connection"))
            call.source?.cancel()
            if call.response != .done, call.failure == nil { call.failure = "CLIENT_CLOSED: the client closed the connection before the response ended" }
            self.call = call
            log()
            self.call = nil
        }
        context.fireChannelInactive()
    }

    // MARK: reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var held = inbound {
            inbound = nil
            held.writeBuffer(&bytes)
            inbound = held
        } else {
            inbound = bytes
        }
        parseInbound()
    }

    /// Frames and dispatches what has been read, as far as the calls allow. A pipelined request waits unparsed,
    /// with reading held, until the call before it is over (reads are held only then, not around every call:
    /// NIO's pipelining handler toggled epoll interest twice per proxied call).
    private func parseInbound() {
        guard !parsing else { return }
        guard let context, var buffer = inbound else {
            updateReadGate()
            return
        }
        inbound = nil
        parsing = true
        defer { parsing = false }
        do {
            while true {
                while call == nil || parser.isReadingBody, let event = try parser.next(&buffer) {
                    switch event {
                    case .head(let head):
                        timeouts.receivedHead()
                        received(head, context: context)
                    case .body(let chunk):
                        timeouts.receivedBody(chunk.readableBytes)
                        received(chunk)
                    case .end:
                        timeouts.receivedEnd()
                        receivedEnd()
                    }
                    if self.context == nil || !context.channel.isActive { return }
                }
                // Bytes read while a call was being dispatched (a re-entrant read) go after these.
                guard var later = inbound else { break }
                inbound = nil
                buffer.writeBuffer(&later)
            }
        } catch {
            refuse(error, context: context)
            return
        }
        if buffer.readableBytes > 0 {
            buffer.discardReadBytes()
            inbound = buffer
            // The start of a head, not whole yet: the header-read timeout runs from here.
            if call == nil { timeouts.headStarted() }
        }
        updateReadGate()
    }

    private func received(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let receivedAt = NIODeadline.now()
        let requestContext = RequestContext(requestIdentity: .bits(requestIds.next()), table: tables.current(in: shared.table),
                                            eventLoop: context.eventLoop)
        if let slot { _ = shared.connections.setBusy(slot, true) }
        let declaredLength = parser.declaredLength
        let hasBody = parser.chunked || (declaredLength ?? 0) > 0
        let call = Call(head: head, context: requestContext, receivedAt: receivedAt, receivedDate: Date(),
                        keepAlive: parser.keepAlive && !shared.connections.isDraining)
        if let refusal = Self.refusal(for: head, maxURIBytes: shared.maxURIBytes) {
            call.discardingBody = true
            call.keepAlive = false
            self.call = call
            requestContext.failure = GatewayFailure(.default4xx, detail: refusal.reason)
            respond(refusal.response)
            return
        }
        if let declaredLength, declaredLength > shared.maxBodyBytes {
            call.discardingBody = true
            call.keepAlive = false
            self.call = call
            respond(tooLarge(head: head, context: requestContext))
            return
        }
        if hasBody {
            let body = RequestBody(length: declaredLength)
            body.onPause = { [unowned self] paused in self.setReadsPaused(paused) }
            call.body = body
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                var interim = context.channel.allocator.buffer(capacity: 32)
                HTTPHeadWriter.writeResponseHead(version: head.version, status: .continue, headers: [:], into: &interim)
                context.writeAndFlush(wrapOutboundOut(interim), promise: nil)
            }
        }
        var request = GatewayRequest(head: head, body: call.body, remoteAddress: remote, sourceIp: clientIp(head), receivedAt: receivedAt,
                                     receivedDate: call.receivedDate)
        request.tls = tls
        if let tls { requestContext.clientCertificate = tls.clientCertificate }
        request.privateListener = shared.privateListener
        self.call = call
        switch requestContext.table.respond(to: request, context: requestContext) {
        case .response(let response):
            respond(response)
        case .pending(let pending):
            // Without a link the handler has left its pipeline: nobody is left to answer.
            if let link { pending.whenComplete(deliverTo: link, for: requestContext) }
        }
    }

    private func received(_ chunk: ByteBuffer) {
        guard let call else { return }
        call.requestBytes += chunk.readableBytes
        if call.traces { LogStage.keepTracedPrefix(of: chunk, in: &call.requestPrefix) }
        if call.discardingBody {
            self.call = call
            return
        }
        if call.requestBytes > shared.maxBodyBytes {
            call.discardingBody = true
            call.keepAlive = false
            self.call = call
            call.body?.fail(GatewayError.requestTooLarge)
            if call.response == .none {
                respond(tooLarge(head: call.head, context: call.context))
            } else {
                // The response is under way: the connection cannot be kept and the body cannot be read on.
                self.call?.failure = "REQUEST_TOO_LARGE: the body went past the limit while the response was being sent"
                context?.close(promise: nil)
            }
            return
        }
        self.call = call
        call.body?.append(chunk)
    }

    private func receivedEnd() {
        guard call != nil else { return }
        call?.requestComplete = true
        call?.body?.finish()
        setReadsPaused(false)
        if call?.response == .done { finishCall() }
    }

    /// Requests the parser accepts but HTTP/1.1 does not: no `Host` (RFC 9112 §3.2), a request target past the
    /// limit (414); and a version other than 1.0 or 1.1 (505), which the parser already refuses from the wire.
    static func refusal(for head: HTTPRequestHead, maxURIBytes: Int) -> (response: GatewayResponse, reason: String)? {
        func answer(_ status: HTTPResponseStatus, _ message: String) -> GatewayResponse {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            return GatewayResponse(status: status, headers: headers, body: .buffer(ByteBuffer(string: #"{"message":"\#(message)"}"#)))
        }
        if head.version.major != 1 || head.version.minor > 1 {
            return (answer(.httpVersionNotSupported, "HTTP Version Not Supported"), "HTTP/\(head.version.major).\(head.version.minor) is not supported")
        }
        if head.uri.utf8.count > maxURIBytes {
            return (answer(.uriTooLong, "URI Too Long"), "the request target is \(head.uri.utf8.count) bytes, over \(maxURIBytes)")
        }
        if head.version.minor == 1 {
            // Counted without splitting values (`canonicalForm` allocates; this runs on every call).
            var hosts = 0
            for (name, value) in head.headers where name.utf8.count == 4 && name.lowercased() == "host" {
                hosts += value.utf8.contains(UInt8(ascii: ",")) ? 2 : 1
            }
            if hosts != 1 {
                return (answer(.badRequest, "Bad Request"), hosts == 0 ? "HTTP/1.1 request without Host" : "HTTP/1.1 request with \(hosts) Host values")
            }
        }
        return nil
    }

    private func tooLarge(head: HTTPRequestHead, context: RequestContext) -> GatewayResponse {
        if context.target == nil {
            let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
            context.target = context.table.target(host: head.headers.first(name: "host"), path: path)
        }
        // The API's gateway responses apply to its 413 too.
        if context.stage == nil, let target = context.target { context.stage = context.table.stage(apiId: target.apiId, stageName: target.stageName) }
        return context.fail(.requestTooLarge)
    }

    /// The caller's address: the peer's, unless the peer is a trusted proxy; then the last address of
    /// `X-Forwarded-For` that is not a trusted proxy itself (read right to left, as each proxy appends).
    private func clientIp(_ head: HTTPRequestHead) -> String? {
        guard !shared.trustedProxies.isEmpty, let peer = sourceIp, shared.trustedProxies.contains(where: { $0.contains(peer) }) else { return sourceIp }
        let forwarded = head.headers["x-forwarded-for"].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for address in forwarded.reversed() where CIDR(address) != nil {
            if !shared.trustedProxies.contains(where: { $0.contains(address) }) { return address }
        }
        return forwarded.first(where: { CIDR($0) != nil }) ?? peer
    }

    // MARK: writing

    /// A late answer (after a 413 or a closed connection) for an older call is dropped.
    func receive(_ response: GatewayResponse, for requestContext: RequestContext) {
        guard let call, call.context === requestContext else {
            if case .stream(let source, _) = response.body { source.cancel() }
            return
        }
        respond(response)
    }

    private func respond(_ response: GatewayResponse) {
        guard let context, let call, call.response == .none else {
            if case .stream(let source, _) = response.body { source.cancel() }
            return
        }
        var response = call.context.customized(response, head: call.head)
        if let minimum = call.context.stage?.binding.definition.restApi.minimumCompressionSize, let encoding = ResponseCompression.accepted(call.head.headers) {
            response = ResponseCompression.apply(to: response, minimum: minimum, encoding: encoding, isHead: call.head.method == .HEAD)
        }
        var framing = ResponseFraming(requestId: call.context.requestIdentity)
        if !call.keepAlive || shared.connections.isDraining {
            call.keepAlive = false
            framing.connection = "close"
        } else if call.head.version == .http1_0 {
            framing.connection = "keep-alive"
        }
        call.status = Int(response.status.code)
        let isHead = call.head.method == .HEAD
        let code = response.status.code
        let bodyless = code < 200 || code == 204 || code == 304
        switch response.body {
        case .buffer(let buffer):
            if bodyless {
                framing.dropsLength = true
            } else {
                framing.contentLength = buffer.readableBytes
            }
            call.responseHeaders = response.headers
            call.framing = framing
            let sendsBody = !isHead && !bodyless && buffer.readableBytes > 0
            // Head and a small body in one buffer: one write, one wake-up of the client.
            let inline = sendsBody && buffer.readableBytes <= Self.inlineBodyLimit
            var bytes = headBuffer(context, capacity: 256 + (inline ? buffer.readableBytes : 0))
            HTTPHeadWriter.writeResponseHead(version: call.head.version, status: response.status, headers: response.headers,
                                             framing: framing, into: &bytes)
            if inline { bytes.writeImmutableBuffer(buffer) }
            keepHeadBuffer(bytes)
            context.write(wrapOutboundOut(bytes), promise: nil)
            if sendsBody {
                if !inline { context.write(wrapOutboundOut(buffer), promise: nil) }
                call.responseBytes = buffer.readableBytes
                if call.traces { LogStage.keepTracedPrefix(of: buffer, in: &call.responsePrefix) }
            }
            self.call = call
            endResponse(context: context)
        case .stream(let source, let expectedLength):
            if expectedLength == nil {
                framing.dropsLength = true
                if !isHead && !bodyless {
                    if call.head.version.minor >= 1 {
                        framing.chunked = true
                        call.chunked = true
                    } else {
                        // HTTP/1.0 without a length: the end of the connection ends the body.
                        call.keepAlive = false
                        framing.connection = "close"
                    }
                }
            }
            call.responseHeaders = response.headers
            call.framing = framing
            call.response = .streaming
            call.source = source
            self.call = call
            // A small body of a known length is written behind its head, in the same buffer (see `heldHead`).
            let bodyLength = isHead || bodyless ? 0 : expectedLength ?? 0
            let holds = bodyLength > 0 && bodyLength <= Self.inlineBodyLimit
            var bytes = headBuffer(context, capacity: 256 + (holds ? bodyLength : 0))
            HTTPHeadWriter.writeResponseHead(version: call.head.version, status: response.status, headers: response.headers,
                                             framing: framing, into: &bytes)
            if holds {
                heldHead = bytes
            } else {
                keepHeadBuffer(bytes)
                context.write(wrapOutboundOut(bytes), promise: nil)
            }
            source.start(self)
        }
    }

    /// Writes a streamed response's head kept back for its body (`heldHead`), with the body's first piece behind it
    /// when one came.
    private func writeHeldHead(_ context: ChannelHandlerContext) {
        guard let head = heldHead else { return }
        heldHead = nil
        keepHeadBuffer(head)
        context.write(wrapOutboundOut(head), promise: nil)
    }

    /// Bodies up to this size are copied behind the head (one buffer); larger ones are written as they are.
    static let inlineBodyLimit = 4096

    /// A buffer for a response head: the spare one, cleared (see `spareHead`), or a new one.
    private func headBuffer(_ context: ChannelHandlerContext, capacity: Int) -> ByteBuffer {
        guard var buffer = spareHead.take() else { return context.channel.allocator.buffer(capacity: capacity) }
        buffer.clear(minimumCapacity: capacity)
        return buffer
    }

    /// Keeps a head's buffer (a second reference beside the write's) for the next response on this connection.
    private func keepHeadBuffer(_ buffer: ByteBuffer) {
        if buffer.capacity <= Self.spareHeadLimit { spareHead = buffer }
    }

    func responseBodyChunk(_ chunk: ByteBuffer) {
        guard let context, let call, call.response == .streaming else { return }
        if call.head.method != .HEAD {
            call.responseBytes += chunk.readableBytes
            if call.traces { LogStage.keepTracedPrefix(of: chunk, in: &call.responsePrefix) }
            self.call = call
            if heldHead != nil {
                heldHead?.writeImmutableBuffer(chunk)
                writeHeldHead(context)
            } else if call.chunked {
                HTTPHeadWriter.writeChunk(chunk, allocator: context.channel.allocator) { context.write(wrapOutboundOut($0), promise: nil) }
            } else {
                context.write(wrapOutboundOut(chunk), promise: nil)
            }
        }
        if !context.channel.isWritable {
            // Flushing may drain the buffer (and signal writability) at once: pause only if it did not.
            context.flush()
            if !context.channel.isWritable { call.source?.pause() }
        }
    }

    func responseBodyFlush() {
        guard let context else { return }
        writeHeldHead(context)
        if let flushBatch { flushBatch.flush(context) } else { context.flush() }
    }

    func responseBodyEnd() {
        guard let context, call?.response == .streaming else { return }
        call?.source = nil
        writeHeldHead(context)
        endResponse(context: context)
    }

    func responseBodyFailed(_ error: any Error) {
        guard let context, call?.response == .streaming else { return }
        // The status line is gone; the only honest signal left is to cut the connection.
        call?.failure = "\(GatewayResponseType.integrationFailure.rawValue): \(error)"
        call?.source = nil
        writeHeldHead(context)
        context.flush()
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let source = call?.source { source.resume() }
        context.fireChannelWritabilityChanged()
    }

    /// Ends the response: the call is logged and, when its request is complete, released; then a pipelined
    /// request waiting behind it starts.
    private func endResponse(context: ChannelHandlerContext) {
        guard let call else { return }
        call.response = .done
        self.call = call
        log()
        let finished = call.requestComplete || !call.keepAlive
        var close = !call.keepAlive
        if finished {
            self.call = nil
            close = !setIdle() || close
        } else if call.body?.isComplete == false {
            // Answered before the body ended (a 429 to an upload, say): the rest is read and dropped.
            self.call?.discardingBody = true
            call.body?.fail(GatewayError.protocolViolation("the call was answered before its body ended"))
            setReadsPaused(false)
        }
        if call.chunked, call.head.method != .HEAD { context.write(wrapOutboundOut(HTTPHeadWriter.lastChunk), promise: nil) }
        if !close, let flushBatch {
            // With the other responses of this pass of the loop: one wake-up of the client for all of them.
            flushBatch.flush(context)
        } else {
            context.flush()
        }
        timeouts.responseEnded()
        if close {
            context.close(promise: nil)
        } else if finished {
            parseInbound()
        }
    }

    private func finishCall() {
        guard let context, let call else { return }
        self.call = nil
        let open = setIdle()
        if !call.keepAlive || !open {
            context.close(promise: nil)
        } else {
            parseInbound()
        }
    }

    /// Marks the connection idle; `false` when the worker is draining (the connection must close).
    private func setIdle() -> Bool {
        guard let slot else { return !shared.connections.isDraining }
        return shared.connections.setBusy(slot, false)
    }

    private func log() {
        guard let call, !call.logged else { return }
        call.logged = true
        self.call = call
        shared.log.record(LogStage.Call(head: call.head, receivedAt: call.receivedAt, receivedDate: call.receivedDate, sourceIp: sourceIp,
                                        status: call.status == 0 ? 499 : call.status, requestBytes: call.requestBytes,
                                        responseBytes: call.responseBytes, failure: call.failure, requestPrefix: call.requestPrefix,
                                        responsePrefix: call.responsePrefix, responseHeaders: loggedHeaders(call)),
                          context: call.context)
    }

    /// The response headers as sent, merged only when execution logging will read them.
    private func loggedHeaders(_ call: Call) -> HTTPHeaders {
        guard let method = call.context.method, method.executionLogging != .off, let framing = call.framing else { return [:] }
        return framing.merged(into: call.responseHeaders)
    }

    // MARK: backpressure on the client's body

    private func setReadsPaused(_ paused: Bool) {
        guard paused != readsPaused else { return }
        readsPaused = paused
        updateReadGate()
    }

    /// Reads are held while the body's consumer is paused, or while a pipelined request waits for the call before it.
    private func updateReadGate() {
        let waiting = call != nil && !parser.isReadingBody && (inbound?.readableBytes ?? 0) > 0
        reads.set(held: readsPaused || waiting, context: context)
    }

    func read(context: ChannelHandlerContext) {
        reads.read(context)
    }

    // MARK: what the parser rejects

    /// The TLS handshake's outcome (the listener's client certificate and protocol) for the calls that follow.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let established = event as? TLSHandshakeHandler.Established {
            tls = established.info
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Errors from below (a TLS failure, a reset) close the connection.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// What the request parser refused gets its status (431 for fields over the limit, 414 for a request line
    /// over it, 400 for the rest), then the connection closes; a response already under way is cut instead (its
    /// status line is gone).
    private func refuse(_ parserError: RequestParser.ParseError, context: ChannelHandlerContext) {
        inbound = nil
        let status = parserError.status
        if let call {
            call.keepAlive = false
            call.body?.fail(GatewayError.protocolViolation("malformed request: \(parserError)"))
            if call.failure == nil { call.failure = "\(GatewayResponseType.badRequestBody.rawValue): malformed request (\(parserError))" }
            if call.response != .none {
                heldHead = nil
                call.source?.cancel()
                context.close(promise: nil)
                return
            }
            call.status = Int(status.code)
            call.response = .done
        }
        let body = "{\"message\":\"\(status.reasonPhrase)\"}"
        var headers = HTTPHeaders()
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "x-amzn-RequestId", value: call?.context.requestId ?? requestIds.make())
        var bytes = context.channel.allocator.buffer(capacity: 256)
        HTTPHeadWriter.writeResponseHead(version: .http1_1, status: status, headers: headers, into: &bytes)
        bytes.writeString(body)
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        context.close(promise: nil)
    }
}
