import GatehouseCore
import NIOConcurrencyHelpers

/// The bounded hand-off between the data path and the telemetry writer. Enqueueing never blocks or
/// waits on disk; when full, records are counted as dropped.
public final class TelemetryQueue: Sendable {
    private struct State {
        var records: [AccessLogRecord] = []
        var dropped = 0
        var writeFailures = 0
    }

    private let state = NIOLockedValueBox(State())
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds a record; `false` (and a drop counted) when the queue is full.
    @discardableResult
    public func enqueue(_ record: AccessLogRecord) -> Bool {
        state.withLockedValue { state in
            guard state.records.count < capacity else {
                state.dropped += 1
                return false
            }
            state.records.append(record)
            return true
        }
    }

    /// Takes everything queued.
    public func drain() -> [AccessLogRecord] {
        state.withLockedValue { state in
            let records = state.records
            state.records.removeAll(keepingCapacity: true)
            return records
        }
    }

    /// Puts a batch that could not be written back in front; whatever does not fit is counted as dropped.
    public func requeue(_ batch: [AccessLogRecord]) {
        state.withLockedValue { state in
            let room = max(0, capacity - state.records.count)
            let kept = batch.prefix(room)
            state.dropped += batch.count - kept.count
            state.records.insert(contentsOf: kept, at: 0)
        }
    }

    /// A batch could not be written (it was put back); counted for `/metrics` and the heartbeat.
    public func noteWriteFailure() {
        state.withLockedValue { $0.writeFailures += 1 }
    }

    /// Batches that failed to write since start.
    public var writeFailures: Int { state.withLockedValue { $0.writeFailures } }

    /// Records dropped since start.
    public var dropped: Int { state.withLockedValue { $0.dropped } }
}
