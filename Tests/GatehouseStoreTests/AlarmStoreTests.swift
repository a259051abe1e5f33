import Foundation
import GatehouseCore
@testable import GatehouseStore
import Testing

@Suite struct AlarmStoreTests {
    func rule(actions: [AlarmAction] = [.webhook(url: "http://127.0.0.1:1/hook")], repeatMinutes: Int? = nil) -> AlarmRule {
        AlarmRule(name: "errors", metric: .error5xx, dimensions: AlarmDimensions(apiId: "api1", stage: "prod"), statistic: .sum,
                  period: 10, evaluationPeriods: 1, comparison: .greaterThanOrEqualToThreshold, threshold: 3, actions: actions,
                  repeatMinutes: repeatMinutes)
    }

    @Test func transitionsAreCompareAndSetWithHistoryAndNotifications() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        try store.putAlarm(rule(), actor: cliActor)
        let start = try #require(try store.alarm(name: "errors"))
        #expect(start.state == .insufficientData)
        let alarm = AlarmEvaluation.Outcome(state: .alarm, reason: "Threshold Crossed")
        #expect(try store.applyAlarmEvaluation(name: "errors", from: .insufficientData, outcome: alarm))
        // The same evaluation again (say, by a restarted worker that read the old state) changes nothing.
        #expect(try !store.applyAlarmEvaluation(name: "errors", from: .insufficientData, outcome: alarm))
        #expect(try !store.applyAlarmEvaluation(name: "errors", from: .alarm, outcome: alarm))
        let changes = try store.alarmHistory(name: "errors").filter { $0.kind == "StateUpdate" }
        #expect(changes.count == 1)
        #expect(changes.first?.newState == .alarm)
        let deliveries = try store.dueAlarmDeliveries()
        #expect(deliveries.count == 1)
        #expect(deliveries.first?.payload.contains("\"newState\":\"ALARM\"") == true)

        try store.recordAlarmDelivery(id: deliveries[0].id, error: "connection refused", retryAt: Date().addingTimeInterval(60))
        #expect(try store.dueAlarmDeliveries().isEmpty, "the retry waits for its backoff")
        #expect(try store.alarmDeliveries(name: "errors").first?.attempts == 1)
        try store.recordAlarmDelivery(id: deliveries[0].id, error: nil, retryAt: nil)
        #expect(try store.alarmDeliveries(name: "errors").first?.status == "delivered")
    }

    @Test func acknowledgementHoldsUntilTheStateChanges() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        try store.putAlarm(rule(), actor: cliActor)
        #expect(throws: StoreError.self) { try store.acknowledgeAlarm(name: "errors", note: nil, actor: cliActor) }
        try store.applyAlarmEvaluation(name: "errors", from: .insufficientData, outcome: .init(state: .alarm, reason: "bad"))
        try store.acknowledgeAlarm(name: "errors", note: "rolling back", actor: Actor(name: "alice", source: "cli"))
        var status = try #require(try store.alarm(name: "errors"))
        #expect(status.acknowledgedBy == "alice")
        #expect(status.acknowledgeNote == "rolling back")
        try store.applyAlarmEvaluation(name: "errors", from: .alarm, outcome: .init(state: .ok, reason: "fine"))
        status = try #require(try store.alarm(name: "errors"))
        #expect(status.acknowledgedBy == nil)
        #expect(try store.auditLog().contains { $0.action == "AcknowledgeAlarm" && $0.operatorName == "alice" })
    }

    @Test func remindersRepeatOnlyWhileUnacknowledged() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        try store.putAlarm(rule(repeatMinutes: 5), actor: cliActor)
        let t0 = Date()
        try store.applyAlarmEvaluation(name: "errors", from: .insufficientData, outcome: .init(state: .alarm, reason: "bad"), now: t0)
        #expect(try store.queueAlarmReminders(now: t0.addingTimeInterval(60)) == 0)
        #expect(try store.queueAlarmReminders(now: t0.addingTimeInterval(301)) == 1)
        #expect(try store.queueAlarmReminders(now: t0.addingTimeInterval(302)) == 0)
        try store.acknowledgeAlarm(name: "errors", note: nil, actor: cliActor)
        #expect(try store.queueAlarmReminders(now: t0.addingTimeInterval(1000)) == 0)
        #expect(try store.alarmDeliveries(name: "errors").count == 2)
    }

    @Test func datapointsComeFromRollups() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        try store.writeTelemetry((0..<10).map { i in
            AccessLogRecord(requestId: "r\(i)", time: base.addingTimeInterval(Double(i % 2) * 10), apiId: "api1", stage: "prod",
                            resourcePath: "/x", httpMethod: "GET", path: "/x", status: i < 6 ? 500 : 200, latencyMs: 5)
        })
        let points = try store.alarmDatapoints(rule(), periodStarts: [1_799_999_990, 1_800_000_000, 1_800_000_010])
        #expect(points.map(\.value) == [nil, 3, 3])
        let invalid = AlarmRule(name: "", metric: .count, dimensions: AlarmDimensions(apiId: ""), statistic: .sum, period: 7,
                                evaluationPeriods: 1, comparison: .greaterThanThreshold, threshold: 1)
        #expect(throws: StoreError.self) { try store.putAlarm(invalid, actor: cliActor) }
    }
}
