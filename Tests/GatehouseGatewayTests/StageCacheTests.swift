import Foundation
import GatehouseCore
@testable import GatehouseGateway
import GatehouseStore
import NIOCore
import NIOHTTP1
import Testing

/// The stage cache: the LRU itself, and through `gatehouse serve`, the CLI, curl and a backend that counts
/// its calls.
@Suite struct StageCacheTests {
    static let cachedAPI = """
        openapi: 3.0.1
        info: {title: Cached, version: "1"}
        paths:
          /pets:
            get:
              parameters: [{name: type, in: query, schema: {type: string}}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://${stageVariables.backend}/pets
                cacheKeyParameters: [method.request.querystring.type]
            post:
              responses: {"201": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: POST, uri: "http://${stageVariables.backend}/pets"}
          /pets/{petId}:
            get:
              parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: "http://${stageVariables.backend}/pets/{petId}"
                requestParameters: {integration.request.path.petId: method.request.path.petId}
          /stream:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/stream?chunks=3&delay=5"}
          /broken:
            get:
              responses: {"500": {description: failing}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/fail"}
        """

    @Test func theLRUEvictsTheLeastRecentlyUsedKeepsTTLsAndFlushesByGeneration() {
        func entry(_ bytes: Int, expires: Double = 100) -> StageCache.Entry {
            StageCache.Entry(status: .ok, headers: [:], body: ByteBuffer(repeating: 65, count: bytes), expires: expires)
        }
        let size = entry(1000).bytes + 1  // "a".utf8.count
        let cache = StageCache(capacityBytes: size * 3, generation: 0)
        cache.put("a", entry(1000))
        cache.put("b", entry(1000))
        cache.put("c", entry(1000))
        #expect(cache.get("a", now: 1) != nil)  // a is now the most recent: b is the least
        cache.put("d", entry(1000))
        #expect(cache.get("b", now: 1) == nil, "the least recently used went")
        #expect(cache.get("a", now: 1) != nil && cache.get("c", now: 1) != nil && cache.get("d", now: 1) != nil)
        #expect(cache.usage.entries == 3 && cache.usage.bytes <= size * 3)
        cache.put("big", entry(size * 3))
        #expect(cache.get("big", now: 1) == nil, "an entry larger than the whole cache is not kept")
        cache.put("old", entry(10, expires: 5))
        #expect(cache.get("old", now: 4) != nil)
        #expect(cache.get("old", now: 6) == nil, "stale after its TTL")
        cache.update(capacityBytes: size, generation: 0)
        #expect(cache.usage.entries == 1, "a smaller size evicts down to it")
        cache.update(capacityBytes: size * 3, generation: 1)
        #expect(cache.usage.entries == 0, "a flush empties it")
    }

    @Test func aHitNeverReachesTheBackendKeysTTLsInvalidationAndFlush() async throws {
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.cachedAPI, backend: "127.0.0.1:\(backend.port)")
        _ = try await UsagePlanTests.cli(db, ["cache", "set", "--api", apiId, "--stage", "prod", "--size-mb", "1"])
        let (worker, port) = try await startWorker(db, admin: true)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        func calls() async throws -> Int {
            let text = try await curl(["http://127.0.0.1:\(backend.port)/_calls"]).stdout
            return Int(text.filter(\.isNumber)) ?? -1
        }
        func get(_ path: String, _ headers: [String] = []) async throws -> (Int, String) {
            statusAndBody(try await curl(["-w", "\n%{http_code}"] + headers.flatMap { ["-H", $0] } + [base + path]).stdout)
        }
        /// How many backend calls `body` made.
        func reached(_ body: () async throws -> Void) async throws -> Int {
            let before = try await calls()
            try await body()
            return try await calls() - before
        }

        let pets = try await get("/pets")
        #expect(pets.0 == 200 && pets.1.contains("dog"))
        var again = (0, "")
        #expect(try await reached { again = try await get("/pets") } == 0, "a hit")
        #expect(again == pets)
        #expect(try await reached { _ = try await get("/pets?type=cat") } == 1, "a cache key parameter tells answers apart")
        #expect(try await reached { _ = try await get("/pets?type=cat&page=2") } == 0, "a parameter outside the key does not")
        #expect(try await reached { _ = try await get("/pets/1"); _ = try await get("/pets/2") } == 2, "the path tells answers apart")
        #expect(try await reached { again = try await get("/pets/2") } == 0)
        #expect(again.1.contains("\"id\":2"))
        let streamed = try await get("/stream")
        #expect(try await reached { again = try await get("/stream") } == 0, "a streamed answer is cached as it passes")
        #expect(again == streamed && streamed.0 == 200)
        let framing = try await curl(["-i", base + "/stream"]).stdout.lowercased()
        #expect(framing.contains("content-length: ") != framing.contains("transfer-encoding: chunked"), "one framing only: \(framing)")
        #expect(try await reached { _ = try await get("/broken"); _ = try await get("/broken") } == 2, "a 5xx is not cached")
        #expect(try await reached {
            _ = try await curl(["-X", "POST", "--data", "{}", "-H", "Content-Type: application/json", base + "/pets"])
            _ = try await curl(["-X", "POST", "--data", "{}", "-H", "Content-Type: application/json", base + "/pets"])
        } == 2, "POST is not cached by default")

        // A caller's Cache-Control: max-age=0 fetches afresh; once the stage requires authorization for it, a
        // caller without an accepted key is served from the cache and told so.
        #expect(try await reached { _ = try await get("/pets", ["Cache-Control: max-age=0"]) } == 1)
        _ = try await UsagePlanTests.cli(db, ["cache", "set", "--api", apiId, "--stage", "prod", "--size-mb", "1", "--require-authorization"])
        try await waitUntilAsync("invalidation refused", timeout: 3) {
            try await curl(["-i", "-H", "Cache-Control: max-age=0", base + "/pets"]).stdout.lowercased().contains("x-gatehouse-cache: invalidation not authorized")
        }
        #expect(try await reached { _ = try await get("/pets", ["Cache-Control: max-age=0"]) } == 0)

        // TTL: one second on /pets/{petId}; the answer is fetched again once it is stale.
        _ = try await UsagePlanTests.cli(db, ["cache", "method", "--api", apiId, "--stage", "prod", "--method", "GET /pets/{petId}", "--ttl", "1"])
        try await Task.sleep(for: .milliseconds(600))  // past a config poll; the old entries (300 s) are refetched below
        _ = try await get("/pets/3")
        let cachedAt = Date()
        #expect(try await reached { _ = try await get("/pets/3") } == 0)
        try await waitUntilAsync("the entry to go stale", timeout: 5) { try await reached { _ = try await get("/pets/3") } == 1 }
        #expect(Date().timeIntervalSince(cachedAt) >= 0.9, "not before its TTL")

        // Flush: every entry goes, in every worker.
        #expect(try await reached { _ = try await get("/pets") } == 0)
        _ = try await UsagePlanTests.cli(db, ["cache", "flush", "--api", apiId, "--stage", "prod"])
        try await waitUntilAsync("the flush applied", timeout: 3) { try await reached { _ = try await get("/pets") } == 1 }

        // Counted: /metrics and the rollups.
        let adminLine = try await worker.line(containing: "admin on")
        let metrics = try await curl([String(adminLine.split(separator: " ").last ?? "")]).stdout
        let hits = metrics.split(separator: "\n").filter { $0.hasPrefix("gatehouse_cache_hits_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
        #expect(hits >= 8, "\(metrics.split(separator: "\n").filter { $0.contains("cache") })")
        let store = try Store(path: db, access: .readOnly)
        try await waitUntil("hits and misses in the rollups", timeout: 5) {
            let rows = try store.rollups(RollupQuery(from: 0, to: Int64(Date().timeIntervalSince1970) + 1, bucket: 3600, apiId: apiId, histograms: false))
            return rows.reduce(0) { $0 + $1.rollup.cacheHit } >= 8 && rows.reduce(0) { $0 + $1.rollup.cacheMiss } >= 5
        }
    }
}
