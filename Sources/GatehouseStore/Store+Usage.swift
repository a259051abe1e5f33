import Foundation
import GatehouseCore
import GRDB

/// Per-key usage: workers add what they admitted (batched, one short transaction), quotas and `gatehouse
/// usage` read it back. Shared by every worker on the store, so a restart or a second worker keeps the count.
extension Store {
    /// Adds each count to its plan/key/day row.
    public func addKeyUsage(_ counts: [KeyUsage]) throws {
        guard !counts.isEmpty else { return }
        try write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO key_usage (plan_id, key_id, day, used) VALUES (?, ?, ?, ?)
                ON CONFLICT (plan_id, key_id, day) DO UPDATE SET used = used + excluded.used
                """)
            for count in counts where count.used != 0 {
                try statement.execute(arguments: [count.planId, count.keyId, count.day, count.used])
            }
        }
    }

    /// Every usage row from `fromDay` on (inclusive), optionally of one plan and one key.
    public func keyUsage(fromDay: String, toDay: String? = nil, planId: String? = nil, keyId: String? = nil) throws -> [KeyUsage] {
        try read { db in
            var sql = "SELECT plan_id, key_id, day, used FROM key_usage WHERE day >= ?"
            var arguments: [any DatabaseValueConvertible] = [fromDay]
            if let toDay { sql += " AND day <= ?"; arguments.append(toDay) }
            if let planId { sql += " AND plan_id = ?"; arguments.append(planId) }
            if let keyId { sql += " AND key_id = ?"; arguments.append(keyId) }
            sql += " ORDER BY plan_id, key_id, day"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map {
                KeyUsage(planId: $0[0], keyId: $0[1], day: $0[2], used: $0[3])
            }
        }
    }
}

extension Store {
    /// How far (seconds) an access-log row's time may trail the rows written before it: a call is logged when it
    /// ends, so one that took this long lands among later calls' rows (the integration timeout is at most 29 s).
    static let outOfOrderSlack: Double = 120

    /// Calls per second per key in the access log between `from` and `to` (epoch seconds): what a plan
    /// throttle's preview replays.
    public func keyCallsPerSecond(keyIds: [String], from: Int64, to: Int64) throws -> [String: [Int64: Int]] {
        guard !keyIds.isEmpty else { return [:] }
        return try read { db in
            // The window's rows by id (a rowid range, no time index), widened for calls that ended out of order.
            let ids = try Self.accessLogIds(db, from: Double(from) - Self.outOfOrderSlack, to: Double(to) + Self.outOfOrderSlack)
            let marks = Array(repeating: "?", count: keyIds.count).joined(separator: ",")
            var result: [String: [Int64: Int]] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT api_key_id, CAST(time AS INTEGER) AS second, COUNT(*) FROM access_log
                WHERE id >= ? AND id < ? AND time >= ? AND time < ? AND api_key_id IN (\(marks)) GROUP BY api_key_id, second
                """, arguments: StatementArguments([ids.lowerBound, ids.upperBound, Double(from), Double(to)] as [any DatabaseValueConvertible] + keyIds))
            while let row = try rows.next() {
                result[row[0] as String, default: [:]][row[1] as Int64] = row[2] as Int
            }
            return result
        }
    }
}

extension Store {
    /// Sets what a key has left of its plan's quota this period (AWS's UpdateUsage `/remaining`): today's count is
    /// adjusted so the period's total is the quota less `remaining`; workers read the total back within a second.
    public func setRemainingQuota(planId: String, keyId: String, remaining: Int, actor: Actor, now: Date = Date()) throws {
        try write { db in
            let plan = try Self.requirePlan(db, id: planId)
            guard let quota = plan.quota else { throw StoreError.invalid("usage plan \(plan.name) has no quota to give back") }
            guard remaining >= 0 else { throw StoreError.invalid("remaining must be zero or more, got \(remaining)") }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM usage_plan_key WHERE plan_id = ? AND key_id = ?", arguments: [planId, keyId]) == true else {
                throw StoreError.notFound(what: "key \(keyId) on usage plan \(planId)", hint: "`gatehouse plan` lists a plan's keys")
            }
            let fromDay = UsageDay.string(plan.quotaPeriodStart(at: now) ?? now), today = UsageDay.string(now)
            let used = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(used), 0) FROM key_usage WHERE plan_id = ? AND key_id = ? AND day >= ?",
                                        arguments: [planId, keyId, fromDay]) ?? 0
            let delta = max(0, quota.limit - remaining) - used
            try db.execute(sql: """
                INSERT INTO key_usage (plan_id, key_id, day, used) VALUES (?, ?, ?, ?)
                ON CONFLICT (plan_id, key_id, day) DO UPDATE SET used = used + excluded.used
                """, arguments: [planId, keyId, today, delta])
            try Self.audit(db, actor: actor, action: "UpdateUsage", target: "usageplans/\(planId)/keys/\(keyId)",
                           before: "\(max(0, quota.limit - used)) remaining", after: "\(remaining) remaining")
        }
    }
}
