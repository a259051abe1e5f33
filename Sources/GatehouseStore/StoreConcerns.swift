import Foundation
import GatehouseCore

/// The store as the worker's configuration watcher sees it: a version to poll and the snapshot to serve.
public protocol ConfigurationSource: Sendable {
    func configVersion() throws -> Int64
    func gatewayConfiguration() throws -> GatewayConfiguration
}

/// The store as the worker's telemetry writer and heartbeat see it: batches in, retention, a beat a second.
public protocol TelemetryStore: Sendable {
    func writeTelemetry(_ records: [AccessLogRecord]) throws
    func applyRetention(_ policy: RetentionPolicy, now: Date, chunk: Int) throws -> Int
    func beat(_ heartbeat: WorkerHeartbeat) throws
}

/// The store as the usage sync sees it: each key's calls added, per-day rows read back.
public protocol KeyUsageStore: Sendable {
    func addKeyUsage(_ counts: [KeyUsage]) throws
    func keyUsage(fromDay: String, toDay: String?, planId: String?, keyId: String?) throws -> [KeyUsage]
}

/// The store as the alarm evaluator, notifier and lease see it.
public protocol AlarmStore: Sendable {
    func alarms() throws -> [AlarmStatus]
    func alarmDatapoints(_ rule: AlarmRule, periodStarts: [Int64]) throws -> [AlarmDatapoint]
    func applyAlarmEvaluation(name: String, from: AlarmState, outcome: AlarmEvaluation.Outcome, now: Date) throws -> Bool
    func queueAlarmReminders(now: Date) throws -> Int
    func dueAlarmDeliveries(now: Date, limit: Int) throws -> [AlarmDelivery]
    func recordAlarmDelivery(id: Int64, error: String?, retryAt: Date?, now: Date) throws
    func takeLease(_ name: String, holder: String, staleAfter: TimeInterval, now: Date) throws -> Bool
    func leaseHolder(_ name: String) throws -> (holder: String, since: Date)?
}

/// The one SQLite store plays every part; tests may give a worker service a fake of one part instead.
extension Store: ConfigurationSource, TelemetryStore, KeyUsageStore, AlarmStore {}
