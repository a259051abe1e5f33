@testable import GatehouseGateway
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// The connection handlers on `EmbeddedChannel`: no sockets, virtual time.
@Suite struct HandlerTests {
    func channel(maxHeaderBytes: Int = 1024, idle: TimeAmount = .seconds(60), headerRead: TimeAmount = .seconds(10)) throws -> EmbeddedChannel {
        var options = GatewayOptions()
        options.maxHeaderBytes = maxHeaderBytes
        options.idleTimeout = Double(idle.nanoseconds) / 1e9
        options.headerReadTimeout = Double(headerRead.nanoseconds) / 1e9
        return try serverChannel(options: options)
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

    @Test func responsesAreWrittenAsOneWellFormedMessage() throws {
        let channel = try channel()
        try channel.writeInbound(ByteBuffer(string: "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n"))
        let response = try written(channel)
        let parts = response.components(separatedBy: "\r\n\r\n")
        #expect(parts.count == 2, "one head, one body: \(response)")
        let lines = parts[0].components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("HTTP/1.1 4"), "\(lines[0])")
        let length = lines.first { $0.lowercased().hasPrefix("content-length: ") }.flatMap { Int($0.dropFirst(16)) }
        #expect(length == parts[1].utf8.count, "Content-Length matches the body")
        #expect(lines.contains { $0.lowercased().hasPrefix("x-amzn-requestid: ") })
        #expect(parts[1].hasPrefix("{\"message\""))

        try channel.writeInbound(ByteBuffer(string: "HEAD /nowhere HTTP/1.1\r\nHost: a\r\n\r\n"))
        let head = try written(channel)
        #expect(head.hasPrefix("HTTP/1.1 4") && head.hasSuffix("\r\n\r\n"), "HEAD: the head only: \(head)")
        #expect(channel.isActive, "kept alive")
    }

    @Test func expectContinueGetsAnInterimAnswerBeforeTheFinalOne() throws {
        let channel = try channel()
        try channel.writeInbound(ByteBuffer(string: "POST /nowhere HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"))
        let response = try written(channel)
        #expect(response.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 4"), "\(response)")
    }

    @Test func pipelinedRequestsAreAnsweredInOrderAcrossReadBoundaries() throws {
        let channel = try channel()
        try channel.writeInbound(ByteBuffer(string: "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHo"))
        try channel.writeInbound(ByteBuffer(string: "st: a\r\n\r\nHEAD /c HTTP/1.1\r\nHost: a\r\n\r\n"))
        let text = try written(channel)
        let heads = text.components(separatedBy: "HTTP/1.1 403 ").count - 1
        #expect(heads == 3, "three answers, one per request: \(text)")
        #expect(text.hasSuffix("\r\n\r\n"), "the last answers HEAD: no body")
        #expect(channel.isActive)
    }

    @Test func aHeadStartedAfterAResponseIsCutByTheHeaderTimeout() throws {
        let channel = try channel(idle: .seconds(60), headerRead: .seconds(2))
        try channel.writeInbound(ByteBuffer(string: "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\n"))
        #expect(try written(channel).hasPrefix("HTTP/1.1 403"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive, "the second head never ended: cut 2 s after it started, not after 60 s idle")
    }

    @Test func theIdleTimeoutRestartsWhenAResponseEnds() throws {
        let channel = try channel(idle: .seconds(5), headerRead: .seconds(1))
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        try channel.writeInbound(ByteBuffer(string: "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(try written(channel).hasPrefix("HTTP/1.1 4"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive, "5 s of idleness count from the end of the response")
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
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

/// Slow bodies, on virtual time: a body that keeps a minimum rate goes on; one below it is cut. The rules on their
/// own (`ConnectionTimeouts` told what the connection reads), then through the real pipeline.
@Suite struct SlowBodyTests {
    final class Expiry {
        var expired = false
    }

    /// Timeouts of 60 s idle, 2 s for a head and 100 B/s for a body, watched on a virtual clock.
    func timeouts(_ loop: EmbeddedEventLoop, _ expiry: Expiry) -> ConnectionTimeouts {
        let timeouts = ConnectionTimeouts(idle: .seconds(60), headerRead: .seconds(2), minBodyRate: 100)
        timeouts.start(on: loop) { expiry.expired = true }
        return timeouts
    }

    @Test func aBodyBelowTheMinimumRateIsCut() {
        let loop = EmbeddedEventLoop(), expiry = Expiry()
        let timeouts = timeouts(loop, expiry)
        timeouts.receivedHead()
        // 100 bytes a second buys one second each: 2 s of grace plus 50 bytes (0.5 s) is all it gets.
        timeouts.receivedBody(50)
        loop.advanceTime(by: .milliseconds(2400))
        #expect(!expiry.expired)
        loop.advanceTime(by: .milliseconds(200))
        #expect(expiry.expired, "a trickle of 50 bytes in 2.6 s is below 100 B/s after the grace")
    }

    @Test func aBodyAtTheMinimumRateGoesOn() {
        let loop = EmbeddedEventLoop(), expiry = Expiry()
        let timeouts = timeouts(loop, expiry)
        timeouts.receivedHead()
        for _ in 0..<20 {
            timeouts.receivedBody(200)
            loop.advanceTime(by: .seconds(1))
            #expect(!expiry.expired, "200 B/s is above the minimum of 100 B/s")
        }
    }

    @Test func aConnectionWaitingForItsResponseIsNotCutButAnIdleOneIs() {
        let loop = EmbeddedEventLoop(), expiry = Expiry()
        let timeouts = timeouts(loop, expiry)
        timeouts.receivedHead()
        timeouts.receivedEnd()
        loop.advanceTime(by: .seconds(120))
        #expect(!expiry.expired, "the integration timeout, not the body rate, governs a call being answered")
        timeouts.responseEnded()
        loop.advanceTime(by: .seconds(59))
        #expect(!expiry.expired)
        loop.advanceTime(by: .seconds(2))
        #expect(expiry.expired, "60 s idle after the response")
    }

    @Test func aStoppedWatchCallsNothing() {
        let loop = EmbeddedEventLoop(), expiry = Expiry()
        let timeouts = timeouts(loop, expiry)
        timeouts.headStarted()
        timeouts.stop()
        loop.advanceTime(by: .seconds(600))
        #expect(!expiry.expired)
    }

    /// Through the connection handler: a POST answered at once (nothing is routed) still reads its body at the
    /// minimum rate, and a trickle is cut.
    @Test func theHandlerCutsATrickledBody() throws {
        var options = GatewayOptions()
        options.headerReadTimeout = 2
        options.minBodyBytesPerSecond = 100
        let channel = try serverChannel(options: options)
        try channel.writeInbound(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n"))
        try channel.writeInbound(ByteBuffer(string: String(repeating: "x", count: 50)))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(2400))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(200))
        #expect(!channel.isActive)
        _ = try? channel.finish()
    }
}

/// A client connection's real pipeline (`GatewayServer.configure`) on `EmbeddedChannel`, over an empty
/// routing table: every request is answered by the worker's own handlers.
func serverChannel(options: GatewayOptions) throws -> EmbeddedChannel {
    let channel = EmbeddedChannel()
    let shared = GatewayConnectionHandler.Shared(
        table: .init(.empty), maxBodyBytes: options.maxBodyBytes, maxURIBytes: options.maxURIBytes,
        log: LogStage(telemetry: TelemetryQueue(capacity: 16), metrics: GatewayMetrics()), connections: ConnectionRegistry())
    try GatewayServer.configure(channel.pipeline.syncOperations, options: options, shared: shared)
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    return channel
}

/// What the request parser lets through but HTTP/1.1 does not (the worker's own checks behind the parser's).
@Suite struct RequestRefusalTests {
    func head(_ version: HTTPVersion, uri: String = "/", hosts: [String] = ["a"]) -> HTTPRequestHead {
        HTTPRequestHead(version: version, method: .GET, uri: uri, headers: HTTPHeaders(hosts.map { ("Host", $0) }))
    }

    @Test func versionsHostsAndLongTargets() {
        #expect(GatewayConnectionHandler.refusal(for: head(.http1_1), maxURIBytes: 100) == nil)
        #expect(GatewayConnectionHandler.refusal(for: head(.http1_0, hosts: []), maxURIBytes: 100) == nil)
        #expect(GatewayConnectionHandler.refusal(for: head(.http2), maxURIBytes: 100)?.response.status == .httpVersionNotSupported)
        #expect(GatewayConnectionHandler.refusal(for: head(.init(major: 1, minor: 2)), maxURIBytes: 100)?.response.status == .httpVersionNotSupported)
        #expect(GatewayConnectionHandler.refusal(for: head(.http1_1, hosts: []), maxURIBytes: 100)?.response.status == .badRequest)
        #expect(GatewayConnectionHandler.refusal(for: head(.http1_1, hosts: ["a", "b"]), maxURIBytes: 100)?.response.status == .badRequest)
        let long = head(.http1_1, uri: "/" + String(repeating: "a", count: 100))
        #expect(GatewayConnectionHandler.refusal(for: long, maxURIBytes: 100)?.response.status == .uriTooLong)
    }
}
