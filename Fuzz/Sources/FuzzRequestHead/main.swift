import GatehouseCore
@testable import GatehouseGateway
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// Any bytes through the server's own channel pipeline (codec, limits, timeouts, the connection handler
/// over an empty routing table): whatever arrives, the worker answers or closes, and never crashes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestHead(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    var options = GatewayOptions()
    options.maxHeaderBytes = 1024
    options.idleTimeout = 5
    options.headerReadTimeout = 1
    let shared = GatewayConnectionHandler.Shared(
        table: .init(.empty), maxBodyBytes: 1024, maxURIBytes: 512,
        log: LogStage(telemetry: TelemetryQueue(capacity: 16), metrics: GatewayMetrics()), connections: ConnectionRegistry())
    do {
        try GatewayServer.configure(channel.pipeline.syncOperations, options: options, shared: shared)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    } catch {
        return 0
    }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    // Fed in two pieces, as a real socket might deliver them.
    let cut = count / 2
    for piece in [bytes[..<cut], bytes[cut...]] where channel.isActive {
        _ = try? channel.writeInbound(ByteBuffer(bytes: piece))
    }
    channel.embeddedEventLoop.advanceTime(by: .seconds(10))
    while (try? channel.readOutbound(as: ByteBuffer.self)) ?? nil != nil {}
    return 0
}
