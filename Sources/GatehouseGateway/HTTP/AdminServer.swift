import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The worker's admin listener (`serve --admin HOST:PORT`): `GET /metrics` in the Prometheus text format and
/// `GET /healthz`. Kept off the data-plane port so it can be bound to a private address.
final class AdminServer: Service, Sendable {
    let host: String
    let port: Int
    let group: any EventLoopGroup
    let metrics: @Sendable () -> String
    let logger: Logger
    let bound: EventLoopPromise<SocketAddress>
    private let listener = NIOLockedValueBox<(any Channel)?>(nil)

    init(host: String, port: Int, group: any EventLoopGroup, metrics: @escaping @Sendable () -> String, logger: Logger) {
        self.host = host
        self.port = port
        self.group = group
        self.metrics = metrics
        self.logger = logger
        bound = group.next().makePromise(of: SocketAddress.self)
    }

    /// Binds the listener before the worker starts anything else.
    @discardableResult
    func bind() async throws -> SocketAddress? {
        if let address = listener.withLockedValue({ $0?.localAddress }) { return address }
        let metrics = self.metrics
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(AdminHandler(metrics: metrics))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            let failure = GatewayError.cannotListen(address: "\(host):\(port)", flag: "--admin", reason: "\(error)")
            bound.fail(failure)
            throw failure
        }
        listener.withLockedValue { $0 = channel }
        if let address = channel.localAddress { bound.succeed(address) }
        logger.info("admin listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        return channel.localAddress
    }

    func run() async throws {
        try await bind()
        guard let channel = listener.withLockedValue({ $0 }) else { return }
        // Closing the channel on shutdown is what ends the wait (a future does not observe task cancellation).
        try? await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}

final class AdminHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let metrics: @Sendable () -> String
    var head: HTTPRequestHead?

    init(metrics: @escaping @Sendable () -> String) {
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
            let (status, type, body): (HTTPResponseStatus, String, String)
            switch (head.method, path) {
            case (.GET, "/metrics"): (status, type, body) = (.ok, "text/plain; version=0.0.4; charset=utf-8", metrics())
            case (.GET, "/healthz"): (status, type, body) = (.ok, "text/plain", "ok\n")
            default: (status, type, body) = (.notFound, "text/plain", "not found: GET /metrics or /healthz\n")
            }
            var headers = HTTPHeaders([("Content-Type", type), ("Content-Length", String(body.utf8.count))])
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            let keepAlive = head.isKeepAlive, channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in if !keepAlive { channel.close(promise: nil) } }
            self.head = nil
        }
    }
}
