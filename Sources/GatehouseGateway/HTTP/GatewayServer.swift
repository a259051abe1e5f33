import Foundation
import GatehouseCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import ServiceLifecycle

/// The data plane's listener: transport only. It accepts HTTP/1.1 connections and gives each the codec,
/// the limits (431, 400), the timeouts and a `GatewayConnectionHandler`; on graceful shutdown it stops
/// accepting, lets in-flight calls finish and closes idle connections.
final class GatewayServer: Service, Sendable {
    /// Where one listener binds and what it serves: plain HTTP or TLS (certificates by SNI), public or private.
    struct Listener: Sendable {
        var host: String
        var port: Int
        /// The flag that sets it, for error messages.
        var flag: String
        var tls: TLSContexts?
        var isPrivate: Bool
    }

    let options: GatewayOptions
    let listenerSettings: Listener
    let metrics: GatewayMetrics
    let group: any EventLoopGroup
    let shared: GatewayConnectionHandler.Shared
    let logger: Logger
    let bound: EventLoopPromise<SocketAddress>
    private let listener = NIOLockedValueBox<(any Channel)?>(nil)
    var connections: ConnectionRegistry { shared.connections }

    init(options: GatewayOptions, listener: Listener, group: any EventLoopGroup, table: RoutingTableBox,
         telemetry: TelemetryQueue, metrics: GatewayMetrics, connections: ConnectionRegistry, flushes: FlushBatches = FlushBatches(),
         logger: Logger) {
        self.options = options
        self.listenerSettings = listener
        self.metrics = metrics
        self.group = group
        self.logger = logger
        shared = GatewayConnectionHandler.Shared(table: table, maxBodyBytes: options.maxBodyBytes,
                                                 maxURIBytes: options.maxURIBytes,
                                                 log: LogStage(telemetry: telemetry, metrics: metrics), connections: connections,
                                                 trustedProxies: options.trustedProxies, privateListener: listener.isPrivate,
                                                 flushes: flushes)
        bound = group.next().makePromise(of: SocketAddress.self)
    }

    /// Binds the listener (before anything else of the worker starts, so a port in use stops it cleanly).
    @discardableResult
    func bind() async throws -> SocketAddress {
        if let address = listener.withLockedValue({ $0?.localAddress }) { return address }
        let shared = self.shared
        let options = self.options
        let listenerSettings = self.listenerSettings
        let metrics = self.metrics
        let logger = self.logger
        let maxConnections = options.maxConnections
        let server: any Channel
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                // Accept what is waiting, not NIO's default of 4 per wake-up: under load a burst of 1,000 new
                // connections otherwise sat in the accept queue for seconds (wrk timed out 2–3 % of first calls).
                .serverChannelOption(.maxMessagesPerRead, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if shared.connections.count >= maxConnections {
                            try sync.addHandler(RefuseConnectionHandler())
                            return
                        }
                        let handler = try Self.configure(sync, options: options, shared: shared)
                        if let tls = listenerSettings.tls {
                            try Self.configureTLS(channel, before: handler, contexts: tls, metrics: metrics, logger: logger)
                        }
                    }
                }
                .bind(host: listenerSettings.host, port: listenerSettings.port).get()
        } catch {
            let failure = GatewayError.cannotListen(address: "\(listenerSettings.host):\(listenerSettings.port)", flag: listenerSettings.flag, reason: "\(error)")
            bound.fail(failure)
            throw failure
        }
        guard let address = server.localAddress else {
            let failure = GatewayError.cannotListen(address: "\(listenerSettings.host):\(listenerSettings.port)", flag: listenerSettings.flag, reason: "no local address")
            bound.fail(failure)
            try? await server.close()
            throw failure
        }
        listener.withLockedValue { $0 = server }
        bound.succeed(address)
        logger.info("listening", metadata: ["address": "\(address)", "tls": "\(listenerSettings.tls != nil)", "private": "\(listenerSettings.isPrivate)"])
        return address
    }

    /// Closes a listener that was bound but never run (another listener of the worker failed to bind).
    func unbind() async {
        let server = listener.withLockedValue { value in
            defer { value = nil }
            return value
        }
        try? await server?.close()
    }

    func run() async throws {
        try await bind()
        guard let server = listener.withLockedValue({ $0 }) else { return }
        let connections = shared.connections
        let drainTimeout = TimeAmount.seconds(double: options.drainTimeout)
        let loop = group.next()
        try await withGracefulShutdownHandler {
            // Cancellation (not a graceful shutdown) closes the listener too, so this never hangs.
            try await withTaskCancellationHandler {
                try await server.closeFuture.get()
            } onCancel: {
                server.close(promise: nil)
                connections.closeAll()
            }
        } onGracefulShutdown: {
            server.close(promise: nil)
            connections.drain()
            loop.scheduleTask(in: drainTimeout) { connections.closeAll() }
        }
        connections.drain()
        await connections.waitUntilEmpty()
        logger.info("drained")
    }

    /// A client connection's pipeline: one handler, which frames requests with Gatehouse's parser (strict framing,
    /// the request-line and header limits), keeps the timeouts and writes its responses as bytes (no encoder).
    @discardableResult
    static func configure(_ pipeline: ChannelPipeline.SynchronousOperations, options: GatewayOptions,
                          shared: GatewayConnectionHandler.Shared) throws -> any ChannelHandler {
        let timeouts = ConnectionTimeouts(idle: .seconds(double: options.idleTimeout),
                                          headerRead: .seconds(double: options.headerReadTimeout),
                                          minBodyRate: options.minBodyBytesPerSecond)
        // A line past the target limit plus room for the method and version is 414 before it ends; a shorter one
        // over the target limit is answered 414 by the connection handler.
        let parser = RequestParser(maxRequestLineBytes: options.maxURIBytes + 1024, maxFieldBytes: options.maxHeaderBytes)
        let handler = GatewayConnectionHandler(shared: shared, parser: parser, timeouts: timeouts)
        try pipeline.addHandler(handler)
        return handler
    }

    /// A TLS connection's front: NIO's SNI reader looks at the client hello, the domain's context is chosen
    /// (made or reloaded off the hot path of established connections), and the TLS handler and the handshake
    /// observer go in before the connection handler. A name with no certificate closes the connection, counted.
    static func configureTLS(_ channel: any Channel, before handler: any ChannelHandler, contexts: TLSContexts,
                             metrics: GatewayMetrics, logger: Logger) throws {
        let handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        let sni = ByteToMessageHandler(SNIHandler { result in
            let serverName: String?
            switch result {
            case .hostname(let name): serverName = name
            case .fallback: serverName = nil
            }
            return contexts.context(serverName: serverName, on: channel.eventLoop).flatMapThrowing { context in
                let sync = channel.pipeline.syncOperations
                try sync.addHandler(NIOSSLServerHandler(context: context), position: .before(handler.value))
                try sync.addHandler(TLSHandshakeHandler(serverName: serverName, metrics: metrics), position: .before(handler.value))
            }.flatMapErrorThrowing { error in
                let refusal = error as? TLSContexts.Refusal
                metrics.countHandshakeFailure(reason: refusal?.reason ?? "handshake")
                logger.debug("TLS connection refused", metadata: ["reason": "\(refusal.map { "\($0)" } ?? "\(error)")"])
                channel.close(promise: nil)
                throw error
            }
        })
        try channel.pipeline.syncOperations.addHandler(sni, position: .first)
    }
}

/// Failures of the worker itself, with what to do about them.
public enum GatewayError: Error, CustomStringConvertible {
    case cannotListen(address: String, flag: String, reason: String)
    case protocolViolation(String)
    case requestTooLarge
    /// A test invocation (the management API's TestInvokeMethod) that cannot be run.
    case testInvoke(String)

    public var description: String {
        switch self {
        case .testInvoke(let reason):
            return "cannot test-invoke: \(reason)"
        case .cannotListen(let address, let flag, let reason):
            let inUse = reason.contains("Address already in use")
            return "cannot listen on \(address) (\(flag)): " + (inUse ? "the address is already in use" : reason)
                + "; is another process using the port? choose another with \(flag) HOST:PORT"
        case .protocolViolation(let reason):
            return "protocol violation: \(reason)"
        case .requestTooLarge:
            return "the request body is larger than the limit (--max-body-bytes)"
        }
    }
}
