import Foundation
import GatehouseStore
import Logging
import NIOConcurrencyHelpers

/// Which worker evaluates alarms and sends their notifications when several serve one store: the holder of
/// the store's `alarms` lease, which passes to another worker once the holder's heartbeat stops.
final class AlarmLease: Sendable {
    static let name = "alarms"
    /// A holder whose heartbeat (every second) is older than this has gone.
    static let staleAfter: Double = 5

    let store: any AlarmStore
    let holder: String
    let logger: Logger
    private let held = NIOLockedValueBox<Bool?>(nil)

    init(store: any AlarmStore, holder: String, logger: Logger) {
        self.store = store
        self.holder = holder
        self.logger = logger
    }

    /// Takes or keeps the lease (a write); says so when this worker's role changes.
    func take() throws -> Bool {
        note(try store.takeLease(Self.name, holder: holder, staleAfter: Self.staleAfter, now: Date()))
    }

    /// Whether this worker holds the lease (a read).
    func isHeld() throws -> Bool {
        try store.leaseHolder(Self.name)?.holder == holder
    }

    private func note(_ holding: Bool) -> Bool {
        let before = held.withLockedValue { value in
            defer { value = holding }
            return value
        }
        if before != holding {
            logger.notice(holding ? "this worker evaluates alarms and sends their notifications"
                                  : "another worker on this store evaluates alarms; this one serves traffic only")
        }
        return holding
    }
}
