import NIOConcurrencyHelpers
import Synchronization

/// The routing table being served, replaced whole by the config watcher. Connections keep the table they
/// read last and read again only when the generation moved: a call costs one atomic load, not a lock
/// shared by every event loop.
public final class RoutingTableBox: Sendable {
    private let box: NIOLockedValueBox<RoutingTable>
    private let generation = Atomic<Int>(0)

    public init(_ table: RoutingTable) {
        box = NIOLockedValueBox(table)
    }

    /// The table now.
    public var value: RoutingTable { box.withLockedValue { $0 } }

    /// Serves `table` from now on.
    public func replace(with table: RoutingTable) {
        box.withLockedValue { $0 = table }
        generation.add(1, ordering: .releasing)
    }

    /// A connection's copy of the table, refreshed when a newer one was swapped in.
    struct Reader {
        private var seen = -1
        private var table = RoutingTable.empty

        mutating func current(in box: RoutingTableBox) -> RoutingTable {
            let now = box.generation.load(ordering: .acquiring)
            if now != seen {
                table = box.value
                seen = now
            }
            return table
        }
    }
}
