import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Something the admin listener serves beside `/metrics` and `/healthz` (the management API): the paths it
/// owns and a blocking answer for each request, run on the worker's I/O pool, never on an event loop.
public protocol AdminExtension: Sendable {
    func owns(path: String) -> Bool
    func respond(method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8])
        -> (status: Int, headers: [(name: String, value: String)], body: [UInt8])
}

/// The worker's admin listener (`serve --admin HOST:PORT`): `GET /metrics` in the Prometheus text format,
/// `GET /healthz`, and the management API when one is given. Kept off the data-plane port so it can be bound
/// to a private address.
final class AdminServer: Service, Sendable {
    let host: String
    let port: Int
    let group: any EventLoopGroup
    let metrics: @Sendable () -> String
    let logger: Logger
    let bound: EventLoopPromise<SocketAddress>
    private let listener = NIOLockedValueBox<(any Channel)?>(nil)

    let extensions: (any AdminExtension)?
    let io: NIOThreadPool?

    init(host: String, port: Int, group: any EventLoopGroup, metrics: @escaping @Sendable () -> String, extensions: (any AdminExtension)? = nil,
         io: NIOThreadPool? = nil, logger: Logger) {
        self.extensions = extensions
        self.io = io
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
        let metrics = self.metrics, extensions = self.extensions, io = self.io
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(AdminHandler(metrics: metrics, extensions: extensions, io: io))
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
    let extensions: (any AdminExtension)?
    let io: NIOThreadPool?
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var tooLarge = false
    /// A management call's body is bounded as the data plane's (an OpenAPI document fits).
    static let maxBodyBytes = 10 * 1024 * 1024

    init(metrics: @escaping @Sendable () -> String, extensions: (any AdminExtension)? = nil, io: NIOThreadPool? = nil) {
        self.metrics = metrics
        self.extensions = extensions
        self.io = io
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
        case .body(let chunk):
            if body.count + chunk.readableBytes > Self.maxBodyBytes { tooLarge = true } else { body.append(contentsOf: chunk.readableBytesView) }
        case .end:
            guard let head else { return }
            self.head = nil
            let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
            if let extensions, let io, extensions.owns(path: path) {
                if tooLarge {
                    write(context, head, .payloadTooLarge, [("Content-Type", "application/json"), ("x-amzn-ErrorType", "RequestTooLargeException")],
                          Array(#"{"message":"Request Too Long: a management call's body is at most 10 MiB"}"#.utf8))
                    return
                }
                // The store is read and written on the I/O pool; the answer is written back on this loop.
                let request = (head.method.rawValue, head.uri, head.headers.map { ($0.name, $0.value) }, body)
                body = []
                answerOffLoop(context, head, io, failureType: "application/json",
                              failure: { #"{"message":"the worker is shutting down: \#($0)"}"# }) {
                    extensions.respond(method: request.0, uri: request.1, headers: request.2, body: request.3)
                }
                return
            }
            if head.method == .GET, path == "/metrics", let io {
                // Rendering reads the certificates' expiry (files on disk): on the I/O pool, not this event loop.
                let metrics = self.metrics
                answerOffLoop(context, head, io, failureType: "text/plain", failure: { "the worker is shutting down: \($0)\n" }) {
                    (200, [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], Array(metrics().utf8))
                }
                return
            }
            let (status, type, text): (HTTPResponseStatus, String, String)
            switch (head.method, path) {
            case (.GET, "/metrics"): (status, type, text) = (.ok, "text/plain; version=0.0.4; charset=utf-8", metrics())
            case (.GET, "/healthz"): (status, type, text) = (.ok, "text/plain", "ok\n")
            default: (status, type, text) = (.notFound, "text/plain", "not found: GET /metrics or /healthz\n")
            }
            write(context, head, status, [("Content-Type", type)], Array(text.utf8))
        }
    }

    /// Runs `work` (which reads files or the store) on the I/O pool and writes what it answers back on this loop;
    /// a pool that is shutting down answers 503 with `failure`'s text.
    private func answerOffLoop(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, _ io: NIOThreadPool, failureType: String,
                               failure: @escaping @Sendable (any Error) -> String,
                               _ work: @escaping @Sendable () -> (status: Int, headers: [(name: String, value: String)], body: [UInt8])) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        io.runIfActive(eventLoop: context.eventLoop, work).whenComplete { result in
            let (handler, context) = bound.value
            switch result {
            case .success(let answer):
                handler.write(context, head, HTTPResponseStatus(statusCode: answer.status), answer.headers, answer.body)
            case .failure(let error):
                handler.write(context, head, .serviceUnavailable, [("Content-Type", failureType)], Array(failure(error).utf8))
            }
        }
    }

    private func write(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, _ status: HTTPResponseStatus,
                       _ fields: [(name: String, value: String)], _ bytes: [UInt8]) {
        var headers = HTTPHeaders(fields.map { ($0.name, $0.value) })
        headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if !bytes.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil) }
        let keepAlive = head.isKeepAlive, channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in if !keepAlive { channel.close(promise: nil) } }
    }
}
