import Foundation
@testable import GatehouseConsole
import GatehouseCore
@testable import GatehouseStore

/// A fixed console state with every view populated, so renders are deterministic.
enum ConsoleFixtures {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func record(_ i: Int, status: Int, method: String = "GET", path: String = "/pets", latency: Double = 12.5,
                       error: String? = nil) -> AccessLogRecord {
        AccessLogRecord(requestId: String(format: "req-%04d", i), time: now.addingTimeInterval(Double(i) - 40), apiId: "a1b2c3d4e5",
                        stage: "prod", resourcePath: path, httpMethod: method, path: "/restapis/a1b2c3d4e5/prod/_user_request_\(path)",
                        status: status, latencyMs: latency, integrationLatencyMs: latency - 1, requestBytes: 0, responseBytes: 120,
                        sourceIp: "127.0.0.1", userAgent: "curl/7.88.1", error: error, throttled: status == 429)
    }

    static var data: ConsoleData {
        var data = ConsoleData()
        data.now = now
        data.storePath = "/var/lib/gatehouse/gatehouse.db"
        data.storeBytes = 3_456_789
        data.workers = [WorkerHeartbeat(id: "w", pid: 4242, version: "0.1.0", listen: "127.0.0.1:8080",
                                        started: now.addingTimeInterval(-3600), lastBeat: now.addingTimeInterval(-1))]
        data.overview = [
            OverviewRow(apiId: "a1b2c3d4e5", apiName: "PetStore", stage: "prod", requestsPerSecond: 41.2,
                        sparkline: (0..<60).map { 20 + ($0 * 7) % 30 }, total: 12_000, count4xx: 360, count5xx: 12, p50: 3.4, p99: 212,
                        throttledPerSecond: 2.5, countDenied: 150),
            OverviewRow(apiId: "z9y8x7w6v5", apiName: "Orders", stage: "dev", requestsPerSecond: 0.4,
                        sparkline: (0..<60).map { $0 % 10 == 0 ? 3 : 0 }, total: 40, count4xx: 0, count5xx: 0, p50: 1.1, p99: 2.0,
                        throttledPerSecond: 0),
        ]
        data.methods = [
            MethodRow(apiId: "a1b2c3d4e5", apiName: "PetStore", stage: "prod", resourcePath: "/pets", httpMethod: "GET",
                      integration: "HTTP_PROXY GET http://${stageVariables.backend}/pets", authorization: "NONE", apiKeyRequired: false,
                      throttle: ThrottleLimit(rate: 100, burst: 50), throttleScope: .stage),
            MethodRow(apiId: "a1b2c3d4e5", apiName: "PetStore", stage: "prod", resourcePath: "/pets/{petId}", httpMethod: "GET",
                      integration: "HTTP GET http://${stageVariables.backend}/pets/{id}", authorization: "JWT users", apiKeyRequired: true,
                      throttle: ThrottleLimit(rate: 5, burst: 10), throttleScope: .stageMethod),
            MethodRow(apiId: "z9y8x7w6v5", apiName: "Orders", stage: "dev", resourcePath: "/health", httpMethod: "GET",
                      integration: "MOCK", authorization: "IAM +pol", apiKeyRequired: false,
                      throttle: ThrottleLimit(rate: 10_000, burst: 5000), throttleScope: .account),
        ]
        data.methods[0].sparkline = (0..<60).map { 10 + ($0 * 5) % 20 }
        data.methods[1].sparkline = (0..<60).map { $0 > 40 ? 8 : 1 }
        data.methods[0].cache = CacheCounts(hits: 870, misses: 130)
        data.throttles = [
            ThrottleRow(scope: .account, apiId: "", stage: "", methodKey: "*", limit: ThrottleLimit(rate: 10_000, burst: 5000),
                        ratePerSecond: 41.6, throttledPerSecond: 2.5),
            ThrottleRow(scope: .stage, apiId: "a1b2c3d4e5", stage: "prod", methodKey: "*/*", limit: ThrottleLimit(rate: 100, burst: 50),
                        ratePerSecond: 30, throttledPerSecond: 0),
            ThrottleRow(scope: .stageMethod, apiId: "a1b2c3d4e5", stage: "prod", methodKey: "/pets/{petId}/GET",
                        limit: ThrottleLimit(rate: 5, burst: 10), ratePerSecond: 7.5, throttledPerSecond: 2.5),
        ]
        data.deployments = [
            DeploymentRow(apiId: "a1b2c3d4e5", apiName: "PetStore", id: "dep0000002", created: now.addingTimeInterval(-600),
                          description: "second", stages: ["prod"]),
            DeploymentRow(apiId: "a1b2c3d4e5", apiName: "PetStore", id: "dep0000001", created: now.addingTimeInterval(-7200),
                          description: "first", stages: []),
        ]
        data.audit = [
            Store.AuditEntry(id: 2, time: now.addingTimeInterval(-30), operatorName: "alice", source: "console", action: "UpdateStage(throttle)",
                             target: "restapis/a1b2c3d4e5/stages/prod//pets/{petId}/GET", before: "10 rps / burst 10", after: "5 rps / burst 10"),
            Store.AuditEntry(id: 1, time: now.addingTimeInterval(-600), operatorName: "bob", source: "cli", action: "CreateDeployment",
                             target: "restapis/a1b2c3d4e5/stages/prod", before: "deployment dep0000001", after: "deployment dep0000002"),
        ]
        let errors = AlarmRule(name: "petstore-5xx", metric: .error5xx, dimensions: AlarmDimensions(apiId: "a1b2c3d4e5", stage: "prod"),
                               statistic: .sum, period: 60, evaluationPeriods: 3, datapointsToAlarm: 2, comparison: .greaterThanOrEqualToThreshold,
                               threshold: 5, actions: [.webhook(url: "http://hooks.internal/oncall")])
        let latency = AlarmRule(name: "orders-p99", metric: .latency, dimensions: AlarmDimensions(apiId: "z9y8x7w6v5"), statistic: .p99,
                                period: 60, evaluationPeriods: 1, comparison: .greaterThanThreshold, threshold: 500)
        data.alarms = [
            AlarmStatus(rule: errors, state: .alarm, reason: "Threshold Crossed: 2 out of the last 3 datapoints [9 (15/01/27 07:58:00), 7 (15/01/27 07:59:00)] were greater than or equal to the threshold (5)",
                        stateUpdated: now.addingTimeInterval(-120), lastEvaluated: now, acknowledgedBy: nil, acknowledgedAt: nil,
                        acknowledgeNote: nil, lastNotified: now.addingTimeInterval(-120)),
            AlarmStatus(rule: latency, state: .ok, reason: "Threshold Crossed: 0 out of the last 1 datapoints [2 (15/01/27 07:59:00)]",
                        stateUpdated: now.addingTimeInterval(-5400), lastEvaluated: now, acknowledgedBy: nil, acknowledgedAt: nil,
                        acknowledgeNote: nil, lastNotified: nil),
        ]
        data.alarmHistory = [
            AlarmHistoryEntry(id: 3, alarm: "petstore-5xx", time: now.addingTimeInterval(-120), kind: "StateUpdate", oldState: .ok,
                              newState: .alarm, reason: "Threshold Crossed: 2 out of the last 3 datapoints were greater than or equal to the threshold (5)"),
            AlarmHistoryEntry(id: 2, alarm: "petstore-5xx", time: now.addingTimeInterval(-3000), kind: "StateUpdate", oldState: .insufficientData,
                              newState: .ok, reason: "Threshold Crossed: 0 out of the last 3 datapoints"),
            AlarmHistoryEntry(id: 1, alarm: "petstore-5xx", time: now.addingTimeInterval(-3060), kind: "ConfigurationUpdate", oldState: nil,
                              newState: nil, reason: "created by alice: 5XXError Sum >= 5 for 2 of 3 × 60s"),
        ]
        data.keyPlans = [
            KeyPlanRow(kind: .plan, planId: "plgold0001", planName: "gold", stages: ["a1b2c3d4e5/prod", "z9y8x7w6v5/prod"],
                       throttle: ThrottleLimit(rate: 100, burst: 200), quota: QuotaSettings(limit: 100_000, period: .month), today: 5_210),
            KeyPlanRow(kind: .key, planId: "plgold0001", planName: "gold", keyId: "keyacme001", keyName: "acme-mobile", today: 5_000,
                       used: 91_500, remaining: 8_500),
            KeyPlanRow(kind: .key, planId: "plgold0001", planName: "gold", keyId: "keyglobex1", keyName: "globex", enabled: false, today: 210,
                       used: 100_000, remaining: 0),
            KeyPlanRow(kind: .plan, planId: "plfree0001", planName: "free", stages: ["a1b2c3d4e5/prod"], throttle: ThrottleLimit(rate: 1, burst: 5),
                       today: 42),
            KeyPlanRow(kind: .key, planId: "plfree0001", planName: "free", keyId: "keytrial01", keyName: "trial-user", today: 42),
            KeyPlanRow(kind: .key, planId: nil, planName: "no plan", keyId: "keylost001", keyName: "orphan"),
        ]
        data.chartTarget = ChartTarget(apiId: "a1b2c3d4e5", stage: "prod")
        data.chart = (0..<60).map { i in
            let base = 3 + Double(i % 12)
            return ChartPoint(start: 1_800_000_000 - 300 + Int64(i) * 5, p50: base, p90: base * 3, p99: i == 45 ? 900 : base * 8,
                              integrationP50: base - 1, integrationP99: base * 6, count: 150 + (i * 13) % 90,
                              count4xx: i % 7 == 0 ? 9 : 1, count5xx: i == 45 ? 2 : 0, count401: i % 7 == 0 ? 4 : 0, count403: i % 7 == 0 ? 3 : 1)
        }
        return data
    }

    static var logs: [LogEntry] {
        let statuses = [200, 200, 404, 200, 500, 429, 200, 201, 504, 200]
        return (0..<40).map { i in
            let status = statuses[i % statuses.count]
            let error: String? = status == 429 ? "THROTTLED" : (status == 504 ? "INTEGRATION_TIMEOUT" : nil)
            return LogEntry(id: Int64(i + 1), record: record(i, status: status, method: i % 9 == 0 ? "POST" : "GET",
                                                             path: i % 3 == 0 ? "/pets/\(i)" : "/pets", latency: Double(i) * 1.7 + 0.4,
                                                             error: error))
        }
    }

    static var state: ConsoleState {
        var state = ConsoleState(operatorName: "alice")
        state.data = data
        state.logs = logs
        state.selection[.logs] = logs.count - 1
        return state
    }
}
