import Foundation
import GatehouseStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Writes the worker's row (pid, version, listen address, started, last beat, telemetry drops) every
/// second, so the console can tell a live worker from a dead one.
final class Heartbeat: Service, Sendable {
    let store: any TelemetryStore
    let io: NIOThreadPool
    let id: String
    let started: Date
    let version: String
    let listen: @Sendable () -> String
    let dropped: @Sendable () -> Int
    let errors: @Sendable () -> Int
    /// TLS handshakes that failed so far.
    let tlsFailures: @Sendable () -> Int
    let ready: @Sendable () async -> Void
    let logger: Logger

    /// `ready` returns once the server is bound, so the first beat already has the real address.
    init(id: String, store: any TelemetryStore, io: NIOThreadPool, version: String, listen: @escaping @Sendable () -> String,
         dropped: @escaping @Sendable () -> Int, errors: @escaping @Sendable () -> Int, tlsFailures: @escaping @Sendable () -> Int = { 0 },
         ready: @escaping @Sendable () async -> Void, logger: Logger) {
        self.tlsFailures = tlsFailures
        self.ready = ready
        self.store = store
        self.io = io
        self.id = id
        self.started = Date()
        self.version = version
        self.listen = listen
        self.dropped = dropped
        self.errors = errors
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.ready()
            while !Task.isCancelled {
                await self.beat(state: "serving")
                try? await Task.sleep(for: .seconds(1))
            }
        }
        await beat(state: "stopped")
    }

    func beat(state: String) async {
        var beat = WorkerHeartbeat(id: id, pid: ProcessInfo.processInfo.processIdentifier, version: version,
                                        listen: listen(), started: started, lastBeat: Date(),
                                        telemetryDropped: dropped(), telemetryErrors: errors(), state: state)
        beat.tlsHandshakeFailures = tlsFailures()
        let heartbeat = beat
        let store = self.store
        do {
            try await io.runIfActive { try store.beat(heartbeat) }
        } catch is CancellationError {
            // Shutting down: the pool no longer takes work.
        } catch {
            logger.warning("heartbeat not written", metadata: ["error": "\(error)"])
        }
    }
}
