import Foundation
import GatehouseCore
import GRDB

/// An alarm as the store holds it: its rule and where it stands.
public struct AlarmStatus: Sendable, Equatable {
    public var rule: AlarmRule
    public var state: AlarmState
    public var reason: String
    public var stateUpdated: Date
    public var lastEvaluated: Date?
    public var acknowledgedBy: String?
    public var acknowledgedAt: Date?
    public var acknowledgeNote: String?
    public var lastNotified: Date?

    public var isAcknowledged: Bool { acknowledgedBy != nil }
}

/// One entry of an alarm's history: a state change, an acknowledgement, a repeat notification, an edit.
public struct AlarmHistoryEntry: Sendable, Equatable {
    public var id: Int64
    public var alarm: String
    public var time: Date
    /// `StateUpdate`, `Acknowledged`, `Reminder`, `ConfigurationUpdate`.
    public var kind: String
    public var oldState: AlarmState?
    public var newState: AlarmState?
    public var reason: String
}

/// One notification to carry out (or carried out): which action, what payload, how it went.
public struct AlarmDelivery: Sendable, Equatable {
    public var id: Int64
    public var alarm: String
    public var action: AlarmAction
    public var payload: String
    /// `pending`, `delivered` or `failed`.
    public var status: String
    public var attempts: Int
    public var lastError: String?
}

extension Store {
    /// Creates or replaces an alarm's rule; a new alarm starts INSUFFICIENT_DATA, an edited one keeps its state.
    public func putAlarm(_ rule: AlarmRule, actor: Actor, now: Date = Date()) throws {
        let problems = rule.problems()
        guard problems.isEmpty else { throw StoreError.invalid(problems.joined(separator: "; ")) }
        try write { db in
            let before = try String.fetchOne(db, sql: "SELECT definition FROM alarm WHERE name = ?", arguments: [rule.name])
            let definition = try Self.json(rule)
            if before == nil {
                try db.execute(sql: "INSERT INTO alarm (name, definition, state_updated, created) VALUES (?, ?, ?, ?)",
                               arguments: [rule.name, definition, now.timeIntervalSince1970, now.timeIntervalSince1970])
            } else {
                try db.execute(sql: "UPDATE alarm SET definition = ? WHERE name = ?", arguments: [definition, rule.name])
            }
            try db.execute(sql: "INSERT INTO alarm_history (alarm, time, kind, reason) VALUES (?, ?, 'ConfigurationUpdate', ?)",
                           arguments: [rule.name, now.timeIntervalSince1970, "\(before == nil ? "created" : "updated") by \(actor.name): \(rule.summary)"])
            try Self.audit(db, actor: actor, action: before == nil ? "PutMetricAlarm(create)" : "PutMetricAlarm(update)",
                           target: "alarms/\(rule.name)", before: before.flatMap { try? Self.decode(AlarmRule.self, $0).summary },
                           after: rule.summary)
        }
    }

    public func deleteAlarm(name: String, actor: Actor) throws {
        try write { db in
            guard let before = try String.fetchOne(db, sql: "SELECT definition FROM alarm WHERE name = ?", arguments: [name]) else {
                throw StoreError.notFound(what: "alarm '\(name)'", hint: "list alarms with `gatehouse alarm list`")
            }
            try db.execute(sql: "DELETE FROM alarm WHERE name = ?", arguments: [name])
            try db.execute(sql: "UPDATE alarm_delivery SET status = 'cancelled', updated = ? WHERE alarm = ? AND status = 'pending'",
                           arguments: [Date().timeIntervalSince1970, name])
            try Self.audit(db, actor: actor, action: "DeleteAlarms", target: "alarms/\(name)",
                           before: (try? Self.decode(AlarmRule.self, before).summary) ?? before, after: nil)
        }
    }

    public func alarms() throws -> [AlarmStatus] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM alarm ORDER BY name").map(Self.alarmStatus(from:)) }
    }

    public func alarm(name: String) throws -> AlarmStatus? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM alarm WHERE name = ?", arguments: [name]).map(Self.alarmStatus(from:)) }
    }

    static func alarmStatus(from row: Row) throws -> AlarmStatus {
        func date(_ column: String) -> Date? { (row[column] as Double?).map { Date(timeIntervalSince1970: $0) } }
        return AlarmStatus(rule: try decode(AlarmRule.self, row["definition"]), state: AlarmState(rawValue: row["state"]) ?? .insufficientData,
                           reason: row["state_reason"], stateUpdated: Date(timeIntervalSince1970: row["state_updated"]),
                           lastEvaluated: date("last_evaluated"), acknowledgedBy: row["ack_by"], acknowledgedAt: date("ack_at"),
                           acknowledgeNote: row["ack_note"], lastNotified: date("last_notified"))
    }

    /// The newest history entries of an alarm (or of all alarms), newest first.
    public func alarmHistory(name: String? = nil, limit: Int = 100) throws -> [AlarmHistoryEntry] {
        try read { db in
            let rows = name == nil
                ? try Row.fetchAll(db, sql: "SELECT * FROM alarm_history ORDER BY id DESC LIMIT ?", arguments: [limit])
                : try Row.fetchAll(db, sql: "SELECT * FROM alarm_history WHERE alarm = ? ORDER BY id DESC LIMIT ?", arguments: [name, limit])
            return rows.map { row in
                AlarmHistoryEntry(id: row["id"], alarm: row["alarm"], time: Date(timeIntervalSince1970: row["time"]), kind: row["kind"],
                                  oldState: (row["old_state"] as String?).flatMap(AlarmState.init(rawValue:)),
                                  newState: (row["new_state"] as String?).flatMap(AlarmState.init(rawValue:)), reason: row["reason"])
            }
        }
    }

    /// An operator says "I'm on it": allowed in ALARM only; holds until the state changes.
    public func acknowledgeAlarm(name: String, note: String?, actor: Actor, now: Date = Date()) throws {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT state, ack_by FROM alarm WHERE name = ?", arguments: [name]) else {
                throw StoreError.notFound(what: "alarm '\(name)'", hint: "list alarms with `gatehouse alarm list`")
            }
            let state: String = row["state"]
            guard state == AlarmState.alarm.rawValue else {
                throw StoreError.invalid("alarm '\(name)' is \(state), not ALARM: only an alarm in ALARM can be acknowledged")
            }
            if let by = row["ack_by"] as String? {
                throw StoreError.invalid("alarm '\(name)' is already acknowledged by \(by) (until its state changes); nothing was changed")
            }
            try db.execute(sql: "UPDATE alarm SET ack_by = ?, ack_at = ?, ack_note = ? WHERE name = ?",
                           arguments: [actor.name, now.timeIntervalSince1970, note, name])
            try db.execute(sql: "INSERT INTO alarm_history (alarm, time, kind, reason) VALUES (?, ?, 'Acknowledged', ?)",
                           arguments: [name, now.timeIntervalSince1970, "acknowledged by \(actor.name)" + (note.map { ": \($0)" } ?? "")])
            try Self.audit(db, actor: actor, action: "AcknowledgeAlarm", target: "alarms/\(name)",
                           before: (row["ack_by"] as String?).map { "acknowledged by \($0)" } ?? "unacknowledged", after: note ?? "acknowledged")
        }
    }

    /// Records one evaluation. A state change is written with its history row and its pending notifications in
    /// one transaction, and only if the alarm is still in `from` (so a restarted evaluator never repeats it).
    /// Returns whether the state changed.
    @discardableResult
    public func applyAlarmEvaluation(name: String, from: AlarmState, outcome: AlarmEvaluation.Outcome, now: Date = Date()) throws -> Bool {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM alarm WHERE name = ?", arguments: [name]) else { return false }
            let status = try Self.alarmStatus(from: row)
            let t = now.timeIntervalSince1970
            guard let newState = outcome.state, newState != status.state, status.state == from else {
                try db.execute(sql: "UPDATE alarm SET last_evaluated = ? WHERE name = ?", arguments: [t, name])
                return false
            }
            try db.execute(sql: """
                UPDATE alarm SET state = ?, state_reason = ?, state_updated = ?, last_evaluated = ?, ack_by = NULL, ack_at = NULL,
                    ack_note = NULL, last_notified = ? WHERE name = ? AND state = ?
                """, arguments: [newState.rawValue, outcome.reason, t, t, t, name, from.rawValue])
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: "INSERT INTO alarm_history (alarm, time, kind, old_state, new_state, reason) VALUES (?, ?, 'StateUpdate', ?, ?, ?)",
                           arguments: [name, t, from.rawValue, newState.rawValue, outcome.reason])
            let historyId = db.lastInsertedRowID
            try Self.enqueueNotifications(db, rule: status.rule, historyId: historyId, kind: "StateUpdate", old: from, new: newState,
                                          reason: outcome.reason, now: now)
            return true
        }
    }

    /// Queues reminders for alarms in ALARM, unacknowledged, whose repeat interval has passed. Returns how many.
    @discardableResult
    public func queueAlarmReminders(now: Date = Date()) throws -> Int {
        try write { db in
            var queued = 0
            for row in try Row.fetchAll(db, sql: "SELECT * FROM alarm WHERE state = 'ALARM' AND ack_by IS NULL") {
                let status = try Self.alarmStatus(from: row)
                guard let minutes = status.rule.repeatMinutes, !status.rule.actions.isEmpty else { continue }
                let last = status.lastNotified ?? status.stateUpdated
                guard now.timeIntervalSince(last) >= Double(minutes * 60) else { continue }
                let reason = "still in ALARM and not acknowledged (since \(status.stateUpdated.formatted(.iso8601))): \(status.reason)"
                try db.execute(sql: "INSERT INTO alarm_history (alarm, time, kind, old_state, new_state, reason) VALUES (?, ?, 'Reminder', 'ALARM', 'ALARM', ?)",
                               arguments: [status.rule.name, now.timeIntervalSince1970, reason])
                try Self.enqueueNotifications(db, rule: status.rule, historyId: db.lastInsertedRowID, kind: "Reminder", old: .alarm, new: .alarm,
                                              reason: reason, now: now)
                try db.execute(sql: "UPDATE alarm SET last_notified = ? WHERE name = ?", arguments: [now.timeIntervalSince1970, status.rule.name])
                queued += 1
            }
            return queued
        }
    }

    /// The JSON document every action receives.
    struct AlarmNotification: Codable {
        var alarmName: String
        var alarmDescription: String?
        var kind: String
        var oldState: String
        var newState: String
        var reason: String
        var time: String
        var metric: String
        var statistic: String
        var dimensions: AlarmDimensions
        var threshold: Double
        var comparison: String
        var period: Int
    }

    static func enqueueNotifications(_ db: Database, rule: AlarmRule, historyId: Int64, kind: String, old: AlarmState, new: AlarmState,
                                     reason: String, now: Date) throws {
        let payload = try json(AlarmNotification(
            alarmName: rule.name, alarmDescription: rule.description, kind: kind, oldState: old.rawValue, newState: new.rawValue, reason: reason,
            time: now.formatted(.iso8601), metric: rule.metric.rawValue, statistic: rule.statistic.rawValue,
            dimensions: rule.dimensions, threshold: rule.threshold, comparison: rule.comparison.rawValue, period: rule.period))
        for action in rule.actions {
            try db.execute(sql: "INSERT INTO alarm_delivery (alarm, history_id, action, payload, next_attempt, updated) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [rule.name, historyId, try json(action), payload, now.timeIntervalSince1970, now.timeIntervalSince1970])
        }
    }

    /// Notifications due now, oldest first.
    public func dueAlarmDeliveries(now: Date = Date(), limit: Int = 50) throws -> [AlarmDelivery] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alarm_delivery WHERE status = 'pending' AND next_attempt <= ? ORDER BY id LIMIT ?",
                             arguments: [now.timeIntervalSince1970, limit]).map(Self.delivery(from:))
        }
    }

    /// Every notification of an alarm, oldest first.
    public func alarmDeliveries(name: String) throws -> [AlarmDelivery] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alarm_delivery WHERE alarm = ? ORDER BY id", arguments: [name]).map(Self.delivery(from:))
        }
    }

    static func delivery(from row: Row) throws -> AlarmDelivery {
        AlarmDelivery(id: row["id"], alarm: row["alarm"], action: try decode(AlarmAction.self, row["action"]), payload: row["payload"],
                      status: row["status"], attempts: row["attempts"], lastError: row["last_error"])
    }

    /// Records an attempt: delivered, or failed with a retry at `retryAt` (or given up when `retryAt` is nil).
    public func recordAlarmDelivery(id: Int64, error: String?, retryAt: Date?, now: Date = Date()) throws {
        try write { db in
            let status = error == nil ? "delivered" : (retryAt == nil ? "failed" : "pending")
            try db.execute(sql: """
                UPDATE alarm_delivery SET status = ?, attempts = attempts + 1, next_attempt = ?, last_error = ?, updated = ? WHERE id = ?
                """, arguments: [status, (retryAt ?? now).timeIntervalSince1970, error, now.timeIntervalSince1970, id])
        }
    }
}

extension Store {
    /// The alarm's datapoints for the given period starts (oldest first), from the rollups.
    public func alarmDatapoints(_ rule: AlarmRule, periodStarts: [Int64]) throws -> [AlarmDatapoint] {
        guard let first = periodStarts.first, let last = periodStarts.last else { return [] }
        let d = rule.dimensions
        let rows = try rollups(RollupQuery(from: first, to: last + Int64(rule.period), bucket: Int64(rule.period), apiId: d.apiId,
                                           stage: d.stage, resourcePath: d.resourcePath, httpMethod: d.httpMethod,
                                           histograms: rule.metric.isLatency))
        var byPeriod: [Int64: MetricRollup] = [:]
        for row in rows { byPeriod[row.key.second, default: MetricRollup()].merge(row.rollup) }
        return periodStarts.map { start in
            AlarmDatapoint(periodStart: start, value: byPeriod[start].flatMap { AlarmEvaluation.datapoint(rule, rollup: $0) })
        }
    }
}
