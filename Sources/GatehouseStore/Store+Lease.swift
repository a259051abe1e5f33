import Foundation
import GRDB

/// Leases: a job that only one of several workers on the same store may run at a time.
extension Store {
    /// Takes or keeps the lease `name` for the worker `holder`: it is free, already the holder's, or held by a
    /// worker whose heartbeat is older than `staleAfter` seconds (or that has stopped). `true` if `holder` has it.
    public func takeLease(_ name: String, holder: String, staleAfter: TimeInterval, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(sql: """
                INSERT INTO lease (name, holder, since) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, since = excluded.since
                WHERE lease.holder <> excluded.holder AND NOT EXISTS (
                    SELECT 1 FROM worker WHERE worker.id = lease.holder AND worker.state = 'serving' AND worker.last_beat >= ?)
                """, arguments: [name, holder, now.timeIntervalSince1970, now.timeIntervalSince1970 - staleAfter])
            return try String.fetchOne(db, sql: "SELECT holder FROM lease WHERE name = ?", arguments: [name]) == holder
        }
    }

    /// Who holds the lease `name`, and since when.
    public func leaseHolder(_ name: String) throws -> (holder: String, since: Date)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT holder, since FROM lease WHERE name = ?", arguments: [name]).map { row in
                (row["holder"], Date(timeIntervalSince1970: row["since"]))
            }
        }
    }
}
