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

    /// Adds a record; `false` (and a drop counted) when the queue is full. The record is moved in, not
    /// copied: a copy is a retain of each of its strings on the event loop and a release on the writer's thread.
    @discardableResult
    public func enqueue(_ record: consuming AccessLogRecord) -> Bool {
        var moved = Optional(record)
        return state.withLockedValue { state in
            guard state.records.count < capacity, let record = moved.take() else {
                state.dropped += 1
                return false
            }
            state.records.append(record)
            return true
        }
    }

    /// Takes everything queued. `spare` (a batch already written, emptied) becomes the queue's storage, so a
    /// busy worker does not allocate a new array of thousands of records for every flush.
    public func drain(reusing spare: consuming [AccessLogRecord] = []) -> [AccessLogRecord] {
        var records = spare
        records.removeAll(keepingCapacity: true)  // keeps the storage only if the caller gave up its reference
        state.withLockedValue { state in
            swap(&state.records, &records)
        }
        return records
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
