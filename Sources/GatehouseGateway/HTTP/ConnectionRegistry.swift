import NIOConcurrencyHelpers
import NIOCore

/// The open client connections and whether each is between requests, so a drain can close idle ones at
/// once and let busy ones finish their response.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        var channel: any Channel
        var busy: Bool
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var draining = false
        var emptyWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())

    var isDraining: Bool { state.withLockedValue { $0.draining } }
    var count: Int { state.withLockedValue { $0.entries.count } }
    /// Connections with a call in progress.
    var busyCount: Int { state.withLockedValue { $0.entries.values.reduce(0) { $0 + ($1.busy ? 1 : 0) } } }

    func add(_ channel: any Channel) {
        state.withLockedValue { $0.entries[ObjectIdentifier(channel)] = Entry(channel: channel, busy: false) }
    }

    func remove(_ channel: any Channel) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.entries.removeValue(forKey: ObjectIdentifier(channel))
            guard state.entries.isEmpty, state.draining else { return [] }
            defer { state.emptyWaiters.removeAll() }
            return state.emptyWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once draining has started and every connection has closed.
    func waitUntilEmpty() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLockedValue { state -> Bool in
                if state.draining && state.entries.isEmpty { return true }
                state.emptyWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Marks a connection busy (a request is in flight); `false` if the server is draining.
    func setBusy(_ channel: any Channel, _ busy: Bool) -> Bool {
        state.withLockedValue { state in
            state.entries[ObjectIdentifier(channel)]?.busy = busy
            return !state.draining
        }
    }

    /// Starts draining: idle connections close now; busy ones close after their response.
    func drain() {
        let idle = state.withLockedValue { state -> [any Channel] in
            state.draining = true
            return state.entries.values.filter { !$0.busy }.map(\.channel)
        }
        for channel in idle { channel.close(promise: nil) }
    }

    /// Closes everything, when the drain timeout has passed.
    func closeAll() {
        let all = state.withLockedValue { $0.entries.values.map(\.channel) }
        for channel in all { channel.close(promise: nil) }
    }
}
