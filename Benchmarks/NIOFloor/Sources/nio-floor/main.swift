import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

// nio-floor LISTEN_PORT UPSTREAM_PORT THREADS [proxy|mock|raw]
//
// The least a SwiftNIO HTTP/1.1 proxy does: NIO's server codec (`configureHTTPServerPipeline`), one keep-alive
// upstream connection per client connection with NIO's client codec, the response head's headers passed on
// minus `Connection`. No routing, limits, timeouts, logging or telemetry. `mock` answers the bench body itself.
// `raw` has no HTTP codec at all: request heads found by their blank line and passed on as bytes (bodyless GETs
// only), responses framed by Content-Length and passed back as bytes — what NIO's channels alone cost a proxy.

let arguments = CommandLine.arguments
guard arguments.count >= 4, let listenPort = Int(arguments[1]), let upstreamPort = Int(arguments[2]),
      let threads = Int(arguments[3]) else {
    print("usage: nio-floor LISTEN_PORT UPSTREAM_PORT THREADS [proxy|mock]")
    exit(2)
}
let mock = arguments.count > 4 && arguments[4] == "mock"
let raw = arguments.count > 4 && arguments[4] == "raw"
let mockBody = #"{"id":1,"name":"Rex","kind":"dog","owner":"bench","tags":["a","b"],"status":"available","age":3}"#

/// Passes the backend's response to the client connection.
final class UpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    let client: any Channel

    init(client: any Channel) { self.client = client }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            var headers = head.headers
            headers.remove(name: "connection")
            client.write(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: head.status, headers: headers)), promise: nil)
        case .body(let body):
            client.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
        case .end:
            client.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
        }
    }
}

/// One client connection: forwards each request to its own upstream connection (or answers it, in mock mode).
final class ProxyHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private let upstreamPort: Int
    private let mock: Bool
    private var upstream: (any Channel)?
    private var pending: [HTTPClientRequestPart] = []

    init(upstreamPort: Int, mock: Bool) {
        self.upstreamPort = upstreamPort
        self.mock = mock
    }

    func channelActive(context: ChannelHandlerContext) {
        guard !mock else { return }
        let client = context.channel
        let upstreamPort = self.upstreamPort
        ClientBootstrap(group: context.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler(client: client))
                }
            }
            .connect(host: "127.0.0.1", port: upstreamPort)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    self.upstream = channel
                    for part in self.pending { channel.write(part, promise: nil) }
                    self.pending = []
                    channel.flush()
                case .failure:
                    client.close(promise: nil)
                }
            }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if mock {
            guard case .end = part else { return }
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: "\(mockBody.utf8.count)")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: mockBody)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        let out: HTTPClientRequestPart
        switch part {
        case .head(let head):
            var request = HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri, headers: head.headers)
            request.headers.replaceOrAdd(name: "host", value: "127.0.0.1:\(upstreamPort)")
            out = .head(request)
        case .body(let body):
            out = .body(.byteBuffer(body))
        case .end:
            out = .end(nil)
        }
        guard let upstream else { pending.append(out); return }
        if case .end = out { upstream.writeAndFlush(out, promise: nil) } else { upstream.write(out, promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        upstream?.close(promise: nil)
    }
}

/// `raw`: the upstream side, framing each response by its Content-Length and passing its bytes to the client.
final class RawUpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let client: any Channel
    private var buffer = ByteBuffer()

    init(client: any Channel) { self.client = client }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        // The usual case, whole responses in one read, passes the read buffer itself on (no copy).
        if buffer.readableBytes == 0 {
            let complete = Self.completeLength(chunk)
            if complete > 0, let messages = chunk.readSlice(length: complete) { client.writeAndFlush(messages, promise: nil) }
            if chunk.readableBytes > 0 { buffer = chunk }
            return
        }
        buffer.writeBuffer(&chunk)
        let complete = Self.completeLength(buffer)
        if complete > 0, let messages = buffer.readSlice(length: complete) {
            client.writeAndFlush(messages, promise: nil)
            buffer = buffer.readableBytes > 0 ? buffer.getSlice(at: buffer.readerIndex, length: buffer.readableBytes) ?? ByteBuffer() : ByteBuffer()
        }
    }

    /// How many bytes at the front are whole responses.
    static func completeLength(_ buffer: ByteBuffer) -> Int {
        var view = buffer, total = 0
        while let length = messageLength(view), view.readableBytes >= length {
            total += length
            view.moveReaderIndex(forwardBy: length)
        }
        return total
    }

    /// Head plus Content-Length bytes, once the head has arrived: one pass over raw bytes (the blank line, then the header lines scanned for Content-Length), no collection algorithms or allocations.
    static func messageLength(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { raw -> Int? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var headEnd = -1, at = 3
            while at < bytes.count {
                if bytes[at] == 10, bytes[at - 1] == 13, bytes[at - 2] == 10, bytes[at - 3] == 13 { headEnd = at - 3; break }
                at += 1
            }
            guard headEnd >= 0 else { return nil }
            let name: StaticString = "content-length:"
            let nameLength = name.utf8CodeUnitCount
            var i = 0
            while i + 1 + nameLength < headEnd {
                if bytes[i] == 10 {
                    var match = true
                    for k in 0..<nameLength where (bytes[i + 1 + k] | 0x20) != (name.utf8Start[k] | 0x20) {
                        match = false
                        break
                    }
                    if match {
                        var j = i + 1 + nameLength, value = 0
                        while j < headEnd, bytes[j] == 32 { j += 1 }
                        while j < headEnd, bytes[j] >= 48, bytes[j] <= 57 { value = value * 10 + Int(bytes[j] - 48); j += 1 }
                        return headEnd + 4 + value
                    }
                }
                i += 1
            }
            return headEnd + 4
        }
    }
}

/// `raw`: one client connection, its request heads passed to its own upstream connection as bytes.
final class RawProxyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let upstreamPort: Int
    private var upstream: (any Channel)?
    private var pending = ByteBuffer()

    init(upstreamPort: Int) { self.upstreamPort = upstreamPort }

    func channelActive(context: ChannelHandlerContext) {
        let client = context.channel
        ClientBootstrap(group: context.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RawUpstreamHandler(client: client)) }
            }
            .connect(host: "127.0.0.1", port: upstreamPort)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    self.upstream = channel
                    if self.pending.readableBytes > 0 { channel.writeAndFlush(self.pending, promise: nil) }
                    self.pending = ByteBuffer()
                case .failure:
                    client.close(promise: nil)
                }
            }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        guard let upstream else { pending.writeBuffer(&chunk); return }
        upstream.writeAndFlush(chunk, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) { upstream?.close(promise: nil) }
}

let tuned = getenv("NIO_FLOOR_TUNED").map { String(cString: $0) }
let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
do {
    let server = try await ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        // NIO_FLOOR_TUNED=1: one read per readiness event and a fixed 4 KiB receive buffer (NIO's defaults: up to 4
        // reads and an adaptive allocator).
        // (NIO_FLOOR_TUNED=reads or =buffer: only that one.)
        .childChannelOption(.maxMessagesPerRead, value: UInt(tuned == nil || tuned == "buffer" ? 4 : 1))
        .childChannelOption(.recvAllocator, value: tuned == nil || tuned == "reads"
                                ? AdaptiveRecvByteBufferAllocator() : AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 4096, maximum: 4096))
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                if raw {
                    try channel.pipeline.syncOperations.addHandler(RawProxyHandler(upstreamPort: upstreamPort))
                    return
                }
                // Without NIO's pipelining assistance by default, as the worker (which queues pipelined requests itself):
                // the assistance stops reading after each request head and re-arms read interest after each response,
                // two epoll_ctl per call. NIO_FLOOR_PIPELINING=1 turns it on.
                let assisted = (getenv("NIO_FLOOR_PIPELINING").map { String(cString: $0) } ?? "0") == "1"
                try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: assisted, withErrorHandling: false)
                try channel.pipeline.syncOperations.addHandler(ProxyHandler(upstreamPort: upstreamPort, mock: mock))
            }
        }
        .bind(host: "127.0.0.1", port: listenPort).get()
    print("listening on 127.0.0.1:\(listenPort)")
    try await server.closeFuture.get()
} catch {
    print("nio-floor: \(error)")
    exit(1)
}
