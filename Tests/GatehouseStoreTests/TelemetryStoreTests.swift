import Foundation
import GatehouseCore
@testable import GatehouseStore
import GRDB
import Testing

@Suite struct TelemetryStoreTests {
    func record(_ i: Int, status: Int, at time: Date, latency: Double, api: String? = "api1") -> AccessLogRecord {
        AccessLogRecord(requestId: "r\(i)", time: time, apiId: api, stage: "prod", resourcePath: "/pets", httpMethod: "GET",
                        path: "/pets", status: status, latencyMs: latency, integrationLatencyMs: latency / 2,
                        error: status == 429 ? "THROTTLED" : nil, throttled: status == 429)
    }

    @Test func batchesMergeIntoPerSecondRollups() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        let second = Date(timeIntervalSince1970: 1_800_000_000)
        // Two batches that both touch the same second must add up, histograms included (merged in SQL).
        try store.writeTelemetry((0..<50).map { record($0, status: 200, at: second, latency: Double($0 + 1)) })
        try store.writeTelemetry((50..<100).map { record($0, status: $0 % 10 == 0 ? 500 : ($0 % 5 == 0 ? 429 : 404), at: second.addingTimeInterval(0.5),
                                                   latency: Double($0 + 1)) })
        try store.writeTelemetry([record(100, status: 200, at: second, latency: 1, api: nil)])
        #expect(try store.accessLog(after: 0, limit: 1000).count == 101)
        let tail = try store.accessLog(after: 95, limit: 10)
        #expect(tail.map(\.id) == [96, 97, 98, 99, 100, 101])
        let m = try store.metrics(from: 1_800_000_000, to: 1_800_000_001)
        #expect(m.count == 100)
        #expect(m.count5xx == 5)
        #expect(m.throttled == 5)
        #expect(m.count4xx == 45)
        let p50 = try #require(m.latency.quantile(0.5))
        #expect(abs(p50 - 50) / 50 < 0.05)
        #expect(try store.countsPerSecond(apiId: "api1", stage: "prod", from: 1_799_999_999, to: 1_800_000_002) == [0, 100, 0])
    }

    @Test func refusalsAndTheCallerAreKept() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        let second = Date(timeIntervalSince1970: 1_800_000_000)
        var allowed = record(1, status: 200, at: second, latency: 1)
        allowed.principal = "AKIAEXAMPLE"
        try store.writeTelemetry([allowed, record(2, status: 401, at: second, latency: 1), record(3, status: 403, at: second, latency: 1),
                                  record(4, status: 403, at: second, latency: 1)])
        let m = try store.metrics(from: 1_800_000_000, to: 1_800_000_001)
        #expect(m.count401 == 1 && m.count403 == 2 && m.count4xx == 3)
        #expect(try store.accessLog(after: 0, limit: 10).first?.record.principal == "AKIAEXAMPLE")
    }

    @Test func everyTextOfEveryRowIsStoredAsItWasEvenPastTheArenasRoom() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        let second = Date(timeIntervalSince1970: 1_800_000_000)
        // Texts of every size in one batch, one row's texts together past the arena's 64 KiB (bound as copies),
        // rows after it back in the arena, non-ASCII and empty texts among them.
        let records = (0..<40).map { i in
            var r = record(i, status: 200, at: second, latency: 1)
            r.userAgent = i == 7 ? String(repeating: "ü", count: 40_000) : "agent-\(i)-" + String(repeating: "x", count: i * 37)
            r.sourceIp = "10.0.0.\(i)"
            r.formatted = i == 7 ? String(repeating: "f", count: 30_000) : (i == 8 ? "" : "line \(i) « \(i) »")
            r.principal = i.isMultiple(of: 3) ? nil : "user-\(i)"
            return r
        }
        try store.writeTelemetry(records)
        let stored = try store.accessLog(after: 0, limit: 100).map(\.record)
        #expect(stored.count == 40)
        for (written, read) in zip(records, stored) {
            #expect(read.requestId == written.requestId)
            #expect(read.userAgent == written.userAgent, "user agent of \(written.requestId)")
            #expect(read.sourceIp == written.sourceIp && read.path == written.path && read.stage == written.stage, "\(written.requestId)")
            #expect(read.principal == written.principal, "principal of \(written.requestId)")
        }
        #expect(try store.formattedAccessLog(apiId: "api1", stage: "prod", limit: 100) == records.compactMap(\.formatted))
    }

    @Test func retentionByAgeAndByRows() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        let now = Date()
        try store.writeTelemetry((0..<30).map { record($0, status: 200, at: now.addingTimeInterval(-10 * 86_400), latency: 1) })
        try store.writeTelemetry((30..<60).map { record($0, status: 200, at: now, latency: 1) })
        let policy = RetentionPolicy(accessLogMaxAge: 7 * 86_400, accessLogMaxRows: 20, metricsMaxAge: 7 * 86_400)
        let deleted = try store.applyRetention(policy, now: now, chunk: 7)
        let left = try store.accessLog(after: 0, limit: 1000)
        #expect(left.count == 20)
        #expect(left.first?.record.requestId == "r40")
        #expect(try store.metrics(from: 0, to: Int64.max).count == 30, "old rollups deleted, recent kept")
        #expect(deleted == 40 + 1 + 1, "40 log rows, one second and one minute of old rollups")
    }

    @Test func timeWindowsAreFoundByIdsWhenRowsComeOutOfOrder() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        #expect(try store.read { db in
            try String.fetchOne(db, sql: "SELECT name FROM sqlite_master WHERE name = 'access_log_time'")
        } == nil, "the access log has no time index to keep up")
        let base = 1_800_000_000.0
        func call(_ second: Int) -> AccessLogRecord {
            var r = record(second, status: 200, at: Date(timeIntervalSince1970: base + Double(second)), latency: 1)
            r.apiKeyId = "k1"
            return r
        }
        // One call a second for 1,000 s, written in the order they end: the call received at 550 s took 20 s (written
        // after the one of 569 s), the one received at 595 s took 30 s (written after the one of 624 s).
        var order = Array(0..<1_000).filter { $0 != 550 && $0 != 595 }
        order.insert(550, at: order.firstIndex(of: 569).map { $0 + 1 } ?? 0)
        order.insert(595, at: order.firstIndex(of: 624).map { $0 + 1 } ?? 0)
        for batch in stride(from: 0, to: order.count, by: 37) {
            try store.writeTelemetry(order[batch..<min(order.count, batch + 37)].map(call))
        }
        let counts = try #require(try store.keyCallsPerSecond(keyIds: ["k1"], from: Int64(base) + 500, to: Int64(base) + 600)["k1"])
        #expect(counts.count == 100 && counts.values.allSatisfy { $0 == 1 }, "one call in each second of the window")
        #expect(counts[Int64(base) + 550] == 1 && counts[Int64(base) + 595] == 1, "the calls written out of order are counted")
        #expect(counts[Int64(base) + 499] == nil && counts[Int64(base) + 600] == nil)

        // Retention with the cutoff at 600 s: no row at or after it goes, every row before it does but, perhaps, the
        // one written out of order past the first row at the cutoff (595 s), which the next pass takes.
        let policy = RetentionPolicy(accessLogMaxAge: 1_000, accessLogMaxRows: 10_000, metricsMaxAge: 100_000)
        try store.applyRetention(policy, now: Date(timeIntervalSince1970: base + 1_600), chunk: 16)
        let left = Set(try store.accessLog(after: 0, limit: 10_000).map(\.record.requestId))
        #expect(left.subtracting(["r595"]) == Set((600..<1_000).map { "r\($0)" }))
        try store.applyRetention(policy, now: Date(timeIntervalSince1970: base + 1_630), chunk: 16)
        let later = try store.accessLog(after: 0, limit: 10_000).map(\.record.requestId)
        #expect(later.count == 370 && !later.contains("r595") && later.first == "r630")
    }

    @Test func twoWritersAtOnceNeverSurfaceBusy() async throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let telemetryStore = try Store(path: temp.path)
        let configStore = try Store(path: temp.path)   // a second pool: separate connections, as another process has
        let definition = sampleDefinition()
        try configStore.putApi(definition, mode: .overwrite, actor: cliActor)
        try configStore.deploy(apiId: definition.restApi.id, stageName: "prod", description: nil, variables: [:], actor: cliActor)
        let now = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for batch in 0..<40 {
                    try telemetryStore.writeTelemetry((0..<500).map { self.record(batch * 500 + $0, status: 200, at: now, latency: 2) })
                }
            }
            group.addTask {
                for i in 0..<40 {
                    try configStore.setStageThrottle(apiId: definition.restApi.id, stageName: "prod", methodKey: "*/*",
                                                     limit: ThrottleLimit(rate: Double(i + 1), burst: i + 1), actor: cliActor)
                }
            }
            try await group.waitForAll()
        }
        #expect(try telemetryStore.accessLog(after: 0, limit: 100_000).count == 20_000)
        #expect(try configStore.stage(apiId: definition.restApi.id, stageName: "prod")?.methodSettings["*/*"]?.throttle?.burst == 40)
        #expect(try telemetryStore.integrityCheck() == "ok")
    }

    @Test func heartbeatUpserts() throws {
        let temp = try TemporaryStore()
        defer { temp.remove() }
        let store = try Store(path: temp.path)
        var beat = WorkerHeartbeat(id: "w1", pid: 42, version: "0.1.0", listen: "127.0.0.1:1", started: Date(), lastBeat: Date())
        try store.beat(beat)
        beat.lastBeat = beat.lastBeat.addingTimeInterval(5)
        beat.telemetryDropped = 3
        try store.beat(beat)
        let workers = try store.workers()
        #expect(workers.count == 1)
        #expect(workers.first?.telemetryDropped == 3)
        #expect(abs((workers.first?.lastBeat.timeIntervalSince1970 ?? 0) - beat.lastBeat.timeIntervalSince1970) < 0.001)
    }
}
