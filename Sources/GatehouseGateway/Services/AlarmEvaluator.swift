import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Evaluates every alarm over the store's rollups (at least once per period: every `interval` seconds) and
/// queues reminders. State changes are compare-and-set in the store, so a restart neither loses nor repeats one.
final class AlarmEvaluator: Service, Sendable {
    let store: any AlarmStore
    let io: NIOThreadPool
    let interval: TimeAmountSeconds
    let lease: AlarmLease
    let logger: Logger

    init(store: any AlarmStore, io: NIOThreadPool, interval: TimeAmountSeconds, lease: AlarmLease, logger: Logger) {
        self.store = store
        self.io = io
        self.interval = interval
        self.lease = lease
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let store = self.store, logger = self.logger, lease = self.lease
                do {
                    try await self.io.runIfActive {
                        // Several workers on one store: only the lease holder evaluates.
                        guard try lease.take() else { return }
                        try Self.evaluateAll(store: store, logger: logger)
                    }
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.warning("alarm evaluation failed; retrying next tick", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(Int(self.interval * 1000)))
            }
        }
    }

    /// One pass over every alarm.
    static func evaluateAll(store: any AlarmStore, logger: Logger, now: Date = Date()) throws {
        let nowSecond = Int64(now.timeIntervalSince1970)
        for status in try store.alarms() {
            let rule = status.rule
            let starts = AlarmEvaluation.periodStarts(period: rule.period, count: rule.evaluationPeriods, now: nowSecond)
            let datapoints = try store.alarmDatapoints(rule, periodStarts: starts)
            let outcome = AlarmEvaluation.evaluate(rule, datapoints: datapoints)
            if try store.applyAlarmEvaluation(name: rule.name, from: status.state, outcome: outcome, now: now) {
                logger.notice("alarm state changed", metadata: ["alarm": "\(rule.name)", "from": "\(status.state.rawValue)",
                                                               "to": "\(outcome.state?.rawValue ?? "-")", "reason": "\(outcome.reason)"])
            }
        }
        _ = try store.queueAlarmReminders(now: now)
    }
}
