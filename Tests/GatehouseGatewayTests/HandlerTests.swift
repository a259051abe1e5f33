@testable import GatehouseGateway
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// The connection handlers on `EmbeddedChannel`: no sockets, virtual time.
@Suite struct HandlerTests {
    func channel(maxHeaderBytes: Int = 1024, idle: TimeAmount = .seconds(60), headerRead: TimeAmount = .seconds(10)) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = maxHeaderBytes
        limits.maxHeaderListSize = maxHeaderBytes
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false,
                                                                        withOutboundHeaderValidation: true,
                                                                        withEncoderConfiguration: .init(),
                                                                        withDecoderLimitConfiguration: limits)
        try channel.pipeline.syncOperations.addHandler(ProtocolErrorHandler())
        try channel.pipeline.syncOperations.addHandler(ConnectionTimeoutHandler(idle: idle, headerRead: headerRead))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    @Test func headerOverflowIs431AndCloses() throws {
        let channel = try channel(maxHeaderBytes: 1024)
        let request = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "y", count: 2000))\r\n\r\n"
        _ = try? channel.writeInbound(ByteBuffer(string: request))
        let response = try written(channel)
        #expect(response.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large"))
        #expect(response.lowercased().contains("x-amzn-requestid: "))
        #expect(!channel.isActive)
    }

    @Test func garbageIs400() throws {
        let channel = try channel()
        _ = try? channel.writeInbound(ByteBuffer(string: "\u{1}\u{2} nonsense\r\n\r\n"))
        #expect(try written(channel).hasPrefix("HTTP/1.1 400 Bad Request"))
        #expect(!channel.isActive)
    }

    @Test func idleConnectionClosesAfterIdleTimeout() throws {
        let channel = try channel(idle: .seconds(5), headerRead: .seconds(1))
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func partialHeadClosesAfterHeaderTimeoutButACompleteOneDoesNot() throws {
        let slow = try channel(idle: .seconds(60), headerRead: .seconds(2))
        try slow.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n"))
        slow.embeddedEventLoop.advanceTime(by: .seconds(3))
        #expect(!slow.isActive)

        let fine = try channel(idle: .seconds(60), headerRead: .seconds(2))
        try fine.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        fine.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(fine.isActive, "a request in progress is not cut by the header timeout")
    }
}
