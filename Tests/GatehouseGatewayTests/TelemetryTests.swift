import Foundation
import GatehouseCore
import GatehouseGateway
import GatehouseStore
import Testing

@Suite struct TelemetryTests {
    @Test func everyCallIsLoggedAndRolledUpAndTheWorkerBeats() async throws {
        try await withGateway(prepare: { store, apiId in
            try store.setStageThrottle(apiId: apiId, stageName: "prod", methodKey: "/limited/GET",
                                       limit: ThrottleLimit(rate: 0.01, burst: 1), actor: Actor(name: "t", source: "t"))
        }) { gw, _ in
            let calls = ["/pets", "/pets/3", "/pets/999", "/flaky", "/limited", "/limited", "/health"]
            for path in calls { _ = try await curl(["-A", "telemetry-test", gw.url(path)]) }
            var rows: [(id: Int64, record: AccessLogRecord)] = []
            let deadline = Date().addingTimeInterval(3)
            while rows.count < calls.count && Date() < deadline {
                try await Task.sleep(for: .milliseconds(100))
                rows = try gw.store.accessLog(after: 0, limit: 100)
            }
            try #require(rows.count == calls.count)
            #expect(rows.map(\.record.status) == [200, 200, 404, 500, 200, 429, 200])
            let pet = rows[1].record
            #expect(pet.resourcePath == "/pets/{petId}")
            #expect(pet.apiId == gw.apiId)
            #expect(pet.stage == "prod")
            #expect(pet.userAgent == "telemetry-test")
            #expect(pet.sourceIp == "127.0.0.1")
            #expect((pet.integrationLatencyMs ?? -1) >= 0)
            #expect(pet.latencyMs >= (pet.integrationLatencyMs ?? 0))
            #expect(rows[5].record.error == "THROTTLED")
            let now = Int64(Date().timeIntervalSince1970) + 1
            let metrics = try gw.store.metrics(from: now - 60, to: now, apiId: gw.apiId, stage: "prod")
            #expect(metrics.count == calls.count)
            #expect(metrics.count4xx == 2)
            #expect(metrics.count5xx == 1)
            #expect(metrics.throttled == 1)
            #expect(metrics.latency.total == calls.count)
            #expect(metrics.integrationLatency.total == 4, "mocks and throttled calls have no integration latency")
            let worker = try #require(try gw.store.workers().first)
            #expect(worker.pid == ProcessInfo.processInfo.processIdentifier)
            #expect(worker.listen.hasSuffix(":\(gw.port)"))
            #expect(Date().timeIntervalSince(worker.lastBeat) < 3)
        }
    }
}

@Suite struct RequestIdTests {
    /// The worker keeps a call's id as bits and writes its text twice, into the response head and (off the loop)
    /// into the access-log row: both must be the same UUID.
    @Test func theResponsesRequestIdIsTheAccessLogRowsId() async throws {
        try await withGateway { gw, _ in
            var sent: [String] = []
            for path in ["/pets", "/health", "/pets/999"] {
                let response = try await curl(["-s", "-i", gw.url(path)])
                let line = try #require(response.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-amzn-requestid:") })
                sent.append(String(line.split(separator: " ").last ?? ""))
            }
            try await waitUntil("the access-log rows") { try gw.store.accessLog(after: 0, limit: 10).count == sent.count }
            let logged = try gw.store.accessLog(after: 0, limit: 10).map(\.record.requestId)
            #expect(logged == sent)
            #expect(Set(sent).count == sent.count)
            for id in sent {
                let parts = id.split(separator: "-")
                #expect(parts.map(\.count) == [8, 4, 4, 4, 12], "\(id)")
                #expect(parts.count == 5 && parts[2].first == "4", "version 4: \(id)")
                #expect(id.allSatisfy { "0123456789abcdef-".contains($0) }, "\(id)")
            }
        }
    }

    @Test func anIdsTextIsTheSameWhetherMadeAsTextOrBits() {
        var asText = RequestIdGenerator(seed: 42), asBits = RequestIdGenerator(seed: 42)
        for _ in 0..<100 {
            #expect(asText.make() == asBits.next().text)
        }
    }
}

@Suite struct TelemetryQueueTests {
    @Test func fullQueueCountsDropsAndNeverBlocks() {
        let queue = TelemetryQueue(capacity: 2)
        let record = AccessLogRecord(requestId: "r", time: Date(), apiId: "a", stage: "s", resourcePath: "/", httpMethod: "GET",
                                     path: "/", status: 200, latencyMs: 1)
        #expect(queue.enqueue(record))
        #expect(queue.enqueue(record))
        #expect(!queue.enqueue(record))
        #expect(queue.dropped == 1)
        let batch = queue.drain()
        #expect(batch.count == 2)
        // A batch the store refused goes back in front; what does not fit is counted.
        #expect(queue.enqueue(record))
        queue.requeue(batch)
        #expect(queue.drain().count == 2)
        #expect(queue.dropped == 2)
    }

    @Test func aWrittenBatchsArrayIsReusedWithoutItsRecords() {
        let queue = TelemetryQueue(capacity: 100)
        func record(_ id: String) -> AccessLogRecord {
            AccessLogRecord(requestId: id, time: Date(), apiId: "a", stage: "s", resourcePath: "/", httpMethod: "GET", path: "/",
                            status: 200, latencyMs: 1)
        }
        for i in 0..<10 { queue.enqueue(record("first-\(i)")) }
        let written = queue.drain()
        #expect(written.map(\.requestId) == (0..<10).map { "first-\($0)" })
        // The written batch's storage becomes the queue's: the next drain has only what came after.
        let next = queue.drain(reusing: written)
        #expect(next.isEmpty)
        for i in 0..<3 { queue.enqueue(record("second-\(i)")) }
        let second = queue.drain(reusing: next)
        #expect(second.map(\.requestId) == ["second-0", "second-1", "second-2"])
        #expect(queue.drain(reusing: second).isEmpty)
        #expect(queue.dropped == 0)
    }
}
