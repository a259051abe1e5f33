import NIOCore

/// Answers a connection beyond `--max-connections` with a 503 that says why, then closes it, so a client
/// sees a clear refusal instead of a hang or a reset.
final class RefuseConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let body = #"{"message":"Too many connections: the gateway is at its --max-connections limit; retry later"}"#
    static let response = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\nRetry-After: 1\r\n"
        + "x-amzn-ErrorType: ServiceUnavailableException\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private var refused = false

    private func refuse(context: ChannelHandlerContext) {
        guard !refused else { return }
        refused = true
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: Self.response))).assumeIsolated().whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
