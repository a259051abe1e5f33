import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small real HTTP backend for the demo and the end-to-end tests: pets, an echo of what arrived,
/// slow and failing endpoints, any status, a chunked stream, and `GET /_calls`: how many calls it has answered
/// (so a test can tell a cached answer from one that reached the backend).
public final class SampleBackend: Sendable {
    let group: MultiThreadedEventLoopGroup
    let channel: any Channel
    let calls: NIOLockedValueBox<Int>

    /// Starts listening on `host:port` (0 picks a free port).
    public init(host: String = "127.0.0.1", port: Int = 0) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let calls = NIOLockedValueBox(0)
        self.calls = calls
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(SampleBackendHandler(calls: calls))
                }
            }
            .bind(host: host, port: port).get()
    }

    public var port: Int { channel.localAddress?.port ?? 0 }

    public func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

final class SampleBackendHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private let calls: NIOLockedValueBox<Int>

    init(calls: NIOLockedValueBox<Int>) {
        self.calls = calls
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            respond(context: context, head: head)
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let components = URLComponents(string: head.uri)
        let path = components?.path ?? head.uri
        var query: [String: String] = [:]
        for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let parts = path.split(separator: "/").map(String.init)
        let keepAlive = head.isKeepAlive
        if path == "/_calls" {
            send(context, keepAlive, .ok, #"{"calls":\#(calls.withLockedValue { $0 })}"#)
            return
        }
        calls.withLockedValue { $0 += 1 }

        switch (head.method, parts.first ?? "") {
        case (.GET, "pets") where parts.count == 1:
            send(context, keepAlive, .ok, #"[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99},{"id":3,"type":"fish","price":0.99}]"#)
        case (.GET, "pets") where parts.count == 2:
            if let id = Int(parts[1]), (1...100).contains(id) {
                send(context, keepAlive, .ok, #"{"id":\#(id),"type":"dog","price":249.99}"#)
            } else {
                send(context, keepAlive, .notFound, #"{"error":"no pet \#(parts[1])"}"#)
            }
        case (.POST, "pets"):
            send(context, keepAlive, .created, String(buffer: body))
        case (_, "slow"):
            let ms = Int64(query["ms"] ?? "") ?? 500
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(ms)) {
                let (handler, context) = loopBound.value
                handler.send(context, keepAlive, .ok, #"{"slept_ms":\#(ms)}"#)
            }
        case (_, "fail"):
            send(context, keepAlive, .internalServerError, #"{"error":"backend failure"}"#)
        case (_, "status"):
            let code = parts.count > 1 ? Int(parts[1]) ?? 200 : 200
            send(context, keepAlive, HTTPResponseStatus(statusCode: code), #"{"status":\#(code)}"#)
        case (_, "stream"):
            stream(context, keepAlive, chunks: Int(query["chunks"] ?? "") ?? 5, delayMs: Int64(query["delay"] ?? "") ?? 100)
        default:
            send(context, keepAlive, .ok, echo(head: head, path: path))
        }
    }

    private func echo(head: HTTPRequestHead, path: String) -> String {
        var object: [String: Any] = ["method": head.method.rawValue, "uri": head.uri, "path": path, "body": String(buffer: body)]
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name.lowercased()] = headers[name.lowercased()].map { "\($0), \(value)" } ?? value }
        object["headers"] = headers
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    func send(_ context: ChannelHandlerContext, _ keepAlive: Bool, _ status: HTTPResponseStatus, _ text: String) {
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(text.utf8.count)),
                                   ("X-Backend", "sample")])
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    private func stream(_ context: ChannelHandlerContext, _ keepAlive: Bool, chunks: Int, delayMs: Int64) {
        let headers = HTTPHeaders([("Content-Type", "text/plain"), ("X-Backend", "sample")])
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        for i in 0...chunks {
            context.eventLoop.scheduleTask(in: .milliseconds(delayMs * Int64(i))) {
                let (handler, context) = loopBound.value
                if i == chunks {
                    context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
                } else {
                    let stamp = Int(Date().timeIntervalSince1970 * 1000)
                    context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "chunk \(i) \(stamp)\n")))), promise: nil)
                }
            }
        }
    }
}
