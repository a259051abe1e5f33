import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// The open client connections and whether each is between requests, so a drain can close idle ones at
/// once and let busy ones finish their response. A connection flips its own busy flag and reads the
/// draining flag without a lock (twice per call, on both loops); the lock guards only the set itself.
final class ConnectionRegistry: Sendable {
    /// One connection's entry: its channel and whether a call is in progress on it.
    final class Slot: Sendable {
        let channel: any Channel
        let busy = Atomic<Bool>(false)

        init(channel: any Channel) {
            self.channel = channel
        }
    }

    private struct State {
        var slots: [ObjectIdentifier: Slot] = [:]
        var emptyWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())
    private let draining = Atomic<Bool>(false)

    var isDraining: Bool { draining.load(ordering: .acquiring) }
    var count: Int { state.withLockedValue { $0.slots.count } }
    /// Connections with a call in progress.
    var busyCount: Int {
        state.withLockedValue { $0.slots.values.reduce(0) { $0 + ($1.busy.load(ordering: .relaxed) ? 1 : 0) } }
    }

    /// Registers a connection; the slot is what it marks busy and idle.
    func add(_ channel: any Channel) -> Slot {
        let slot = Slot(channel: channel)
        state.withLockedValue { $0.slots[ObjectIdentifier(channel)] = slot }
        return slot
    }

    func remove(_ channel: any Channel) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.slots.removeValue(forKey: ObjectIdentifier(channel))
            guard state.slots.isEmpty, draining.load(ordering: .acquiring) else { return [] }
            defer { state.emptyWaiters.removeAll() }
            return state.emptyWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once draining has started and every connection has closed.
    func waitUntilEmpty() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLockedValue { state -> Bool in
                if draining.load(ordering: .acquiring) && state.slots.isEmpty { return true }
                state.emptyWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Marks a connection busy (a request is in flight) or idle; `false` if the server is draining.
    func setBusy(_ slot: Slot, _ busy: Bool) -> Bool {
        slot.busy.store(busy, ordering: .releasing)
        return !draining.load(ordering: .acquiring)
    }

    /// Starts draining: idle connections close now; busy ones close after their response.
    func drain() {
        let idle = state.withLockedValue { state -> [any Channel] in
            draining.store(true, ordering: .releasing)
            return state.slots.values.filter { !$0.busy.load(ordering: .acquiring) }.map(\.channel)
        }
        for channel in idle { channel.close(promise: nil) }
    }

    /// Closes everything, when the drain timeout has passed.
    func closeAll() {
        let all = state.withLockedValue { $0.slots.values.map(\.channel) }
        for channel in all { channel.close(promise: nil) }
    }
}
