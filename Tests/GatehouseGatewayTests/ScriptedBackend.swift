import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A misbehaving backend on a real socket: for every request (read up to the blank line) it plays a script
/// of raw writes with pauses, then closes the connection or holds it open. Shows what the gateway does with
/// backends that hang, reset, trickle or speak broken HTTP.
final class ScriptedBackend: Sendable {
    enum Step: Sendable {
        case send(String)
        case pause(Double)
        case close
    }

    let channel: any Channel
    /// When each step was played, in seconds from the request's arrival, for a test that diagnoses timing.
    let played: NIOLockedValueBox<[String]>
    /// Its own thread: its pauses are timed on it, and a loop shared with other tests' work could stretch them.
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    init(_ script: [Step]) async throws {
        let played = NIOLockedValueBox<[String]>([])
        self.played = played
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler(script: script, played: played)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let script: [Step]
        var seen = ""
        var playing = false

        let played: NIOLockedValueBox<[String]>
        var arrived = NIODeadline.now()

        init(script: [Step], played: NIOLockedValueBox<[String]>) {
            self.script = script
            self.played = played
        }

        private func note(_ step: String) {
            let seconds = Double((NIODeadline.now() - arrived).nanoseconds) / 1e9
            played.withLockedValue { $0.append("\(step)@\(String(format: "%.3f", seconds))") }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            seen += String(buffer: unwrapInboundIn(data))
            guard !playing, seen.contains("\r\n\r\n") else { return }
            playing = true
            arrived = .now()
            play(script[...], context: context)
        }

        private func play(_ steps: ArraySlice<Step>, context: ChannelHandlerContext) {
            guard let step = steps.first else { return }
            let rest = steps.dropFirst()
            switch step {
            case .send(let text):
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
                note("send")
                play(rest, context: context)
            case .pause(let seconds):
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
                    self.play(rest, context: context)
                }
            case .close:
                context.close(promise: nil)
                note("close")
            }
        }
    }
}
