import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Drains the telemetry queue every flush interval into the store, one transaction per batch, on the I/O
/// thread pool (never on the data path), applies retention now and then, and flushes once more at shutdown.
final class TelemetryWriter: Service, Sendable {
    let store: any TelemetryStore
    let queue: TelemetryQueue
    let io: NIOThreadPool
    let options: GatewayOptions
    let logger: Logger

    init(store: any TelemetryStore, queue: TelemetryQueue, io: NIOThreadPool, options: GatewayOptions, logger: Logger) {
        self.store = store
        self.queue = queue
        self.io = io
        self.options = options
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastRetention = Date.distantPast
            var spare: [AccessLogRecord] = []
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(self.options.telemetryFlushInterval * 1000)))
                spare = await self.flush(reusing: consume spare)
                if Date().timeIntervalSince(lastRetention) >= self.options.retentionInterval {
                    lastRetention = Date()
                    let store = self.store, policy = self.options.retention
                    do {
                        let deleted = try await self.io.runIfActive { try store.applyRetention(policy, now: Date(), chunk: 5_000) }
                        if deleted > 0 { self.logger.info("retention", metadata: ["deleted": "\(deleted)"]) }
                    } catch is CancellationError {
                        // Shutting down: the pool no longer takes work.
                    } catch {
                        self.logger.warning("retention failed", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
        // Shutdown: the server has drained, so this flush holds the last records.
        await flush()
    }

    /// Appends each stage's formatted lines to its file; a file that cannot be written is logged, not retried.
    static func appendFiles(_ batch: [AccessLogRecord], logger: Logger) {
        var byFile: [String: (settings: AccessLogSettings, lines: [String])] = [:]
        for index in batch.indices {
            guard let sink = batch[index].sink, let file = sink.file, let line = batch[index].formatted else { continue }
            byFile[file, default: (sink, [])].lines.append(line)
        }
        for (file, entry) in byFile {
            do {
                try AccessLogFile.append(entry.lines, settings: entry.settings)
            } catch {
                logger.error("cannot write the access-log file", metadata: ["file": "\(file)", "error": "\(error)"])
            }
        }
    }

    /// Writes what is queued; returns the written batch's array for the next drain to reuse (empty when the
    /// batch went back to the queue).
    @discardableResult
    func flush(reusing spare: consuming [AccessLogRecord] = []) async -> [AccessLogRecord] {
        let batch = queue.drain(reusing: spare)
        guard !batch.isEmpty else { return batch }
        let store = self.store
        let logger = self.logger
        do {
            try await io.runIfActive {
                try store.writeTelemetry(batch)
                Self.appendFiles(batch, logger: logger)
            }
            return batch
        } catch is CancellationError {
            queue.requeue(batch)
        } catch {
            // Keep the batch for the next flush (what does not fit is counted as dropped).
            logger.error("telemetry batch not written; retrying", metadata: ["records": "\(batch.count)", "error": "\(error)"])
            queue.noteWriteFailure()
            queue.requeue(batch)
        }
        return []
    }
}
