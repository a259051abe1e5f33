import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP receiver for alarm webhooks: records every POST body; answers 500 to the first `failFirst`.
final class WebhookReceiver: Sendable {
    let bodies = NIOLockedValueBox<[String]>([])
    let attempts = NIOLockedValueBox(0)
    let channel: any Channel

    init(failFirst: Int = 0) async throws {
        let bodies = self.bodies, attempts = self.attempts
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(bodies: bodies, attempts: attempts, failFirst: failFirst))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)/hook" }
    var received: [String] { bodies.withLockedValue { $0 } }

    func stop() async { try? await channel.close() }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let bodies: NIOLockedValueBox<[String]>
        let attempts: NIOLockedValueBox<Int>
        let failFirst: Int
        var body = ""

        init(bodies: NIOLockedValueBox<[String]>, attempts: NIOLockedValueBox<Int>, failFirst: Int) {
            self.bodies = bodies
            self.attempts = attempts
            self.failFirst = failFirst
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head: body = ""
            case .body(let buffer): body += String(buffer: buffer)
            case .end:
                let attempt = attempts.withLockedValue { $0 += 1; return $0 }
                let ok = attempt > failFirst
                if ok { bodies.withLockedValue { $0.append(body) } }
                let head = HTTPResponseHead(version: .http1_1, status: ok ? .ok : .internalServerError,
                                            headers: ["Content-Length": "0", "Connection": "close"])
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
