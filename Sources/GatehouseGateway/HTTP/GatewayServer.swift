import Foundation
import GatehouseCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The data plane's listener: accepts HTTP/1.1 connections (keep-alive), runs each request through the
/// pipeline of the current routing snapshot, writes the response (streaming backend bodies), and hands a
/// telemetry record to the queue. On graceful shutdown it stops accepting and drains.
final class GatewayServer: Service, Sendable {
    let options: GatewayOptions
    let group: any EventLoopGroup
    let table: NIOLockedValueBox<RoutingTable>
    let pipeline: GatewayPipeline
    let telemetry: TelemetryQueue
    let metrics: GatewayMetrics
    let logger: Logger
    let connections = ConnectionRegistry()
    let bound: EventLoopPromise<SocketAddress>

    init(options: GatewayOptions, group: any EventLoopGroup, table: NIOLockedValueBox<RoutingTable>,
         pipeline: GatewayPipeline, telemetry: TelemetryQueue, metrics: GatewayMetrics, logger: Logger) {
        self.metrics = metrics
        self.options = options
        self.group = group
        self.table = table
        self.pipeline = pipeline
        self.telemetry = telemetry
        self.logger = logger
        self.bound = group.next().makePromise(of: SocketAddress.self)
    }

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    func run() async throws {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = options.maxHeaderBytes
        limits.maxHeaderListSize = options.maxHeaderBytes
        let idle = TimeAmount.seconds(double: options.idleTimeout)
        let headerRead = TimeAmount.seconds(double: options.headerReadTimeout)
        let server: NIOAsyncChannel<Connection, Never>
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: options.host, port: options.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false,
                                                             withOutboundHeaderValidation: true,
                                                             withEncoderConfiguration: .init(),
                                                             withDecoderLimitConfiguration: limits)
                        try sync.addHandler(ProtocolErrorHandler())
                        try sync.addHandler(ConnectionTimeoutHandler(idle: idle, headerRead: headerRead))
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            bound.fail(error)
            throw GatewayError.cannotListen(address: "\(options.host):\(options.port)", reason: "\(error)")
        }
        if let address = server.channel.localAddress { bound.succeed(address) } else {
            bound.fail(GatewayError.cannotListen(address: "\(options.host):\(options.port)", reason: "no local address"))
        }
        logger.info("listening", metadata: ["address": "\(server.channel.localAddress.map { "\($0)" } ?? "?")"])
        let connections = self.connections
        let drainTimeout = TimeAmount.seconds(double: options.drainTimeout)
        let loop = group.next()
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { tasks in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        tasks.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
            connections.drain()
            loop.scheduleTask(in: drainTimeout) { connections.closeAll() }
        }
        logger.info("drained")
    }

    func serve(_ connection: Connection) async {
        let channel = connection.channel
        connections.add(channel)
        defer { connections.remove(channel) }
        if connections.isDraining {
            try? await channel.close()
            return
        }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var parts = inbound.makeAsyncIterator()
                while let part = try await parts.next() {
                    guard case .head(let head) = part else { continue }
                    _ = connections.setBusy(channel, true)
                    let keepGoing = try await handle(head: head, parts: &parts, outbound: outbound, remote: channel.remoteAddress)
                    let open = connections.setBusy(channel, false)
                    if !keepGoing || !open { return }
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Serves one request; returns whether the connection stays open.
    private func handle(head: HTTPRequestHead, parts: inout NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator,
                        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, remote: SocketAddress?) async throws -> Bool {
        let receivedAt = NIODeadline.now()
        let receivedDate = Date()
        let requestId = Identifiers.requestId()
        var context = RequestContext(requestId: requestId, table: table.withLockedValue { $0 })
        var keepAlive = head.isKeepAlive && !connections.isDraining

        let declaredLength = head.headers.first(name: "content-length").flatMap(Int.init)
        var received = 0
        var requestPrefix = ByteBuffer()
        var tooLarge = false
        var response: GatewayResponse
        if let declaredLength, declaredLength > options.maxBodyBytes {
            tooLarge = true
            response = .gateway(.requestTooLarge)
        } else {
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                try await outbound.write(.head(HTTPResponseHead(version: head.version, status: .continue)))
            }
            let hasBody = declaredLength.map { $0 > 0 } ?? head.headers.contains(name: "transfer-encoding")
            if !hasBody {
                // No body: read to the end of the request and run the pipeline inline (no stream, no child task).
                guard let part = try await parts.next() else {
                    throw GatewayError.protocolViolation("the client closed the connection in the middle of a request")
                }
                guard case .end = part else {
                    throw GatewayError.protocolViolation("a request without a declared body sent one")
                }
                let request = GatewayRequest(head: head, body: .empty, remoteAddress: remote, receivedAt: receivedAt, receivedDate: receivedDate)
                response = await pipeline.respond(to: request, context: &context)
            } else {
                // The pipeline runs while the body is still arriving, so a proxied upload streams to the backend.
                let (chunks, feed) = AsyncThrowingStream<ByteBuffer, Error>.makeStream()
                let request = GatewayRequest(head: head, body: RequestBody(chunks: chunks, length: declaredLength, isPresent: hasBody),
                                             remoteAddress: remote, receivedAt: receivedAt, receivedDate: receivedDate)
                let pipeline = self.pipeline
                let initial = context
                async let outcome = Self.respond(pipeline, request, initial)
                do {
                    reading: while true {
                        guard let part = try await parts.next() else {
                            throw GatewayError.protocolViolation("the client closed the connection in the middle of a request body")
                        }
                        switch part {
                        case .body(let chunk):
                            received += chunk.readableBytes
                            Self.keepTracedPrefix(of: chunk, in: &requestPrefix)
                            if received > options.maxBodyBytes {
                                tooLarge = true
                                feed.finish(throwing: GatewayError.requestTooLarge)
                                break reading
                            }
                            feed.yield(chunk)
                        case .end:
                            feed.finish()
                            break reading
                        case .head:
                            throw GatewayError.protocolViolation("a request head arrived inside a request body")
                        }
                    }
                } catch {
                    feed.finish(throwing: error)
                    _ = await outcome
                    throw error
                }
                (response, context) = await outcome
            }
        }
        let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
        if tooLarge {
            keepAlive = false
            context.errorType = GatewayResponseType.requestTooLarge.rawValue
            context.target = context.target ?? RoutingTable.target(host: head.headers.first(name: "host"), path: path)
            response = .gateway(.requestTooLarge)
        }
        var written = 0
        var responsePrefix = ByteBuffer()
        var failure: Error?
        do {
            written = try await write(response, for: head, requestId: requestId, keepAlive: keepAlive, to: outbound, prefix: &responsePrefix)
        } catch {
            failure = error
            keepAlive = false
        }
        record(head: head, receivedAt: receivedAt, receivedDate: receivedDate, remote: remote, context: context,
               status: Int(response.status.code), requestBytes: received, responseBytes: written, failure: failure,
               bodies: (requestPrefix, responsePrefix), responseHeaders: response.headers)
        if let failure { throw failure }
        return keepAlive
    }

    /// How much of a body execution logging keeps (as AWS, 1 KiB).
    static let tracedBodyBytes = 1024

    /// Copies the start of `chunk` into `prefix` until it holds `tracedBodyBytes`.
    static func keepTracedPrefix(of chunk: ByteBuffer, in prefix: inout ByteBuffer) {
        let room = tracedBodyBytes - prefix.readableBytes
        guard room > 0, var slice = chunk.getSlice(at: chunk.readerIndex, length: min(chunk.readableBytes, room)) else { return }
        prefix.writeBuffer(&slice)
    }

    private func write(_ response: GatewayResponse, for request: HTTPRequestHead, requestId: String, keepAlive: Bool,
                       to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, prefix: inout ByteBuffer) async throws -> Int {
        var headers = response.headers
        headers.replaceOrAdd(name: "x-amzn-RequestId", value: requestId)
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if request.version == .http1_0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        let isHead = request.method == .HEAD
        var written = 0
        // Parts are written in as few flushes as possible: the head goes out with the first chunk, and the
        // end with the chunk that completes a known length.
        switch response.body {
        case .buffer(let buffer):
            headers.replaceOrAdd(name: "Content-Length", value: String(buffer.readableBytes))
            var parts: [HTTPServerResponsePart] = [.head(HTTPResponseHead(version: request.version, status: response.status, headers: headers))]
            if !isHead && buffer.readableBytes > 0 {
                parts.append(.body(.byteBuffer(buffer)))
                written = buffer.readableBytes
                Self.keepTracedPrefix(of: buffer, in: &prefix)
            }
            parts.append(.end(nil))
            try await outbound.write(contentsOf: parts)
        case .stream(let stream, let expectedLength):
            if expectedLength == nil { headers.remove(name: "Content-Length") }
            var pending: [HTTPServerResponsePart] = [.head(HTTPResponseHead(version: request.version, status: response.status, headers: headers))]
            var ended = false
            for try await chunk in stream where !isHead {
                written += chunk.readableBytes
                Self.keepTracedPrefix(of: chunk, in: &prefix)
                pending.append(.body(.byteBuffer(chunk)))
                if let expectedLength, written >= expectedLength {
                    pending.append(.end(nil))
                    ended = true
                }
                try await outbound.write(contentsOf: pending)
                pending.removeAll(keepingCapacity: true)
            }
            if !ended {
                pending.append(.end(nil))
                try await outbound.write(contentsOf: pending)
            }
        }
        return written
    }

    private static func respond(_ pipeline: GatewayPipeline, _ request: GatewayRequest,
                                _ initial: RequestContext) async -> (GatewayResponse, RequestContext) {
        var context = initial
        let response = await pipeline.respond(to: request, context: &context)
        return (response, context)
    }

    private func record(head: HTTPRequestHead, receivedAt: NIODeadline, receivedDate: Date, remote: SocketAddress?,
                        context: RequestContext, status: Int, requestBytes: Int, responseBytes: Int, failure: Error?,
                        bodies: (request: ByteBuffer, response: ByteBuffer), responseHeaders: HTTPHeaders) {
        let latency = Double((NIODeadline.now() - receivedAt).nanoseconds) / 1_000_000
        let record = AccessLogRecord(
            requestId: context.requestId, time: receivedDate, apiId: context.target?.apiId,
            stage: context.target?.stageName, resourcePath: context.match?.resource.path, httpMethod: head.method.rawValue,
            path: head.uri, status: status, latencyMs: latency, integrationLatencyMs: context.integrationLatencyMs,
            requestBytes: requestBytes, responseBytes: responseBytes, apiKeyId: nil, sourceIp: remote?.ipAddress,
            userAgent: head.headers.first(name: "user-agent"),
            error: context.errorType ?? failure.map { "CLIENT_WRITE_FAILED: \($0)" }, throttled: context.throttled)
        var logged = record
        if let stage = context.stage?.binding.stage {
            if let settings = stage.accessLogSettings {
                let values = AccessLogFormatter.values(record, stagePath: context.stagePath ?? head.uri,
                                                       protocolVersion: "HTTP/\(head.version.major).\(head.version.minor)",
                                                       host: head.headers.first(name: "host"))
                logged.formatted = AccessLogFormatter.render(settings.format, values: values)
                logged.sink = settings.file == nil ? nil : settings
            }
            logged.execution = ExecutionLog.lines(stage: stage, context: context, head: head, record: record, bodies: bodies,
                                                  responseHeaders: responseHeaders)
        }
        telemetry.enqueue(logged)
        metrics.record(record, routed: context.match != nil)
    }
}

/// Failures of the worker itself, with what to do about them.
public enum GatewayError: Error, CustomStringConvertible {
    case cannotListen(address: String, reason: String)
    case protocolViolation(String)
    case requestTooLarge

    public var description: String {
        switch self {
        case .cannotListen(let address, let reason):
            return "cannot listen on \(address): \(reason); is another process using the port? choose another with --listen HOST:PORT"
        case .protocolViolation(let reason):
            return "protocol violation: \(reason)"
        case .requestTooLarge:
            return "the request body is larger than the limit (--max-body-bytes)"
        }
    }
}
