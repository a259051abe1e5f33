import Foundation
@testable import GatehouseConsole
import GatehouseCore
@testable import GatehouseStore
import GRDB
import Testing

/// The console loop on a real store file, with an in-memory terminal.
@Suite struct ConsoleAppTests {
    func makeStore() throws -> (Store, String, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try Store(path: dir.appendingPathComponent("g.db").path)
        let actor = Actor(name: "setup", source: "test")
        let root = Resource(id: "r0", parentId: nil, pathPart: "", path: "/")
        let health = Resource(id: "r1", parentId: "r0", pathPart: "health", path: "/health",
                              resourceMethods: ["GET": Method(httpMethod: "GET", methodIntegration: Integration(type: .mock))])
        try store.putApi(ApiDefinition(restApi: RestApi(id: "api1", name: "Health"), resources: [root, health]), mode: .overwrite, actor: actor)
        try store.deploy(apiId: "api1", stageName: "prod", description: "v1", variables: [:], actor: actor)
        try store.setStageThrottle(apiId: "api1", stageName: "prod", methodKey: "/health/GET", limit: ThrottleLimit(rate: 50, burst: 50), actor: actor)
        return (store, "api1", dir)
    }

    @Test func loaderReadsRollupsAndPreviewReplaysTheLastHour() throws {
        let (store, apiId, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let now = Date()
        // 20 requests a second for the last 120 s, one of them a 5xx.
        var records: [AccessLogRecord] = []
        for second in 1...120 {
            for i in 0..<20 {
                records.append(AccessLogRecord(requestId: "\(second)-\(i)", time: now.addingTimeInterval(-Double(second)), apiId: apiId,
                                               stage: "prod", resourcePath: "/health", httpMethod: "GET", path: "/health",
                                               status: i == 0 ? 503 : 200, latencyMs: Double(i + 1)))
            }
        }
        try store.writeTelemetry(records)
        let loader = ConsoleDataLoader(store: store)
        let data = try loader.load(window: .m5, chartTarget: nil, now: now)
        let row = try #require(data.overview.first)
        #expect(row.total == 2400)
        #expect(row.count5xx == 120)
        #expect(abs(row.requestsPerSecond - 18) <= 2.1, "last 10 s: \(row.requestsPerSecond)")
        #expect(data.methods.first?.throttleScope == .stageMethod)
        #expect(data.throttles.map(\.scope) == [.account, .stageMethod])
        #expect(data.chart.reduce(0) { $0 + $1.count } == 2400)
        #expect(data.chart.contains { $0.count5xx > 0 })
        let minutes = try loader.load(window: .h1, chartTarget: nil, now: now)
        #expect(minutes.overview.first?.total == 2400, "the hour window reads minute rollups and sees the same calls")

        let strict = ThrottleLimit(rate: 10, burst: 10)
        let rejected = try loader.preview(apiId: apiId, stage: "prod", methodKey: "/health/GET", limit: strict, now: now)
        let expected = TokenBucket.rejections(limit: strict, countsPerSecond: Array(repeating: 0, count: 3600 - 121) + Array(repeating: 20, count: 120) + [0])
        #expect(abs(rejected - expected) <= 20)
        #expect(rejected > 1000)
        #expect(try loader.preview(apiId: apiId, stage: "prod", methodKey: "/health/GET", limit: ThrottleLimit(rate: 100, burst: 100), now: now) == 0)
        // The replay names the span it had traffic for: 120 s, not "the last hour".
        let seconds = try loader.replaySeconds(apiId: apiId, stage: "prod", account: false, now: now)
        #expect((119...121).contains(seconds), "\(seconds)")
        var state = ConsoleState()
        state.form = ThrottleForm(apiId: apiId, stage: "prod", methodKey: "/health/GET", before: nil, rate: "10", burst: "10")
        _ = ConsoleReducer.reduce(&state, .previewLoaded(limit: strict, rejected: rejected, seconds: seconds))
        let screen = ConsoleRenderer.render(state, width: 100, height: 30).lines.joined(separator: "\n")
        #expect(screen.contains("would have rejected \(rejected) requests over the 2m on record"), "\(screen)")
        let tail = try loader.logs(after: nil, limit: 50)
        #expect(tail.count == 50)
        #expect(try loader.logs(after: tail.last?.id, limit: 50).isEmpty)
    }

    @Test(arguments: [TimeWindow.m5, .h24])
    func cachedBucketsPlusFreshOnesEqualAFreshRead(window: TimeWindow) throws {
        // A store per window: calls written a second or two ahead of one window's `now` could fall past the
        // end of the other window's current bucket, and so be missing from its first read by design.
        let (store, apiId, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let now = Date()
        func burst(at time: Date, count: Int, tag: String) throws {
            try store.writeTelemetry((0..<count).map {
                AccessLogRecord(requestId: "\(tag)-\($0)", time: time, apiId: apiId, stage: "prod", resourcePath: "/health",
                                httpMethod: "GET", path: "/health", status: 200, latencyMs: 3)
            })
        }
        let loader = ConsoleDataLoader(store: store)
        try burst(at: now.addingTimeInterval(-200), count: 30, tag: "old")
        let first = try loader.load(window: window, chartTarget: nil, now: now)
        try burst(at: now.addingTimeInterval(1), count: 7, tag: "new")
        try burst(at: now.addingTimeInterval(-2), count: 5, tag: "late")
        let second = try loader.load(window: window, chartTarget: nil, now: now.addingTimeInterval(2))
        let fresh = try ConsoleDataLoader(store: store).load(window: window, chartTarget: nil, now: now.addingTimeInterval(2))
        #expect(second.overview.first?.total == (first.overview.first?.total ?? 0) + 12)
        #expect(second.overview == fresh.overview)
        #expect(second.chart == fresh.chart)
        // Another refresh in the same buckets: the completed part's totals are reused, the fresh part merged.
        try burst(at: now.addingTimeInterval(1.5), count: 3, tag: "more")
        let third = try loader.load(window: window, chartTarget: nil, now: now.addingTimeInterval(2))
        #expect(third.overview.first?.total == (second.overview.first?.total ?? 0) + 3)
        #expect(third.overview == (try ConsoleDataLoader(store: store).load(window: window, chartTarget: nil, now: now.addingTimeInterval(2))).overview)
    }

    @Test func theAccountRowCountsOnlyWhatTheAccountLimitRefused() throws {
        let (store, apiId, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        try store.setStageThrottle(apiId: apiId, stageName: "prod", methodKey: "/health/GET", limit: ThrottleLimit(rate: 5, burst: 5),
                                   actor: Actor(name: "t", source: "t"))
        let now = Date()
        func calls(_ count: Int, tag: String, throttled: Bool = false, byAccount: Bool = false) -> [AccessLogRecord] {
            (0..<count).map {
                AccessLogRecord(requestId: "\(tag)-\($0)", time: now.addingTimeInterval(-3), apiId: apiId, stage: "prod",
                                resourcePath: "/health", httpMethod: "GET", path: "/health", status: throttled ? 429 : 200,
                                latencyMs: 1, throttled: throttled, throttledByAccount: byAccount)
            }
        }
        // 20 served, 30 refused by the method's own limit, 10 by the account's: over the last 10 s.
        try store.writeTelemetry(calls(20, tag: "ok") + calls(30, tag: "method", throttled: true) + calls(10, tag: "account", throttled: true, byAccount: true))
        let data = try ConsoleDataLoader(store: store).load(window: .m5, chartTarget: nil, now: now)
        let account = try #require(data.throttles.first { $0.scope == .account })
        let method = try #require(data.throttles.first { $0.scope == .stageMethod && $0.methodKey == "/health/GET" })
        #expect(account.throttledPerSecond == 1.0, "10 refusals by the account limit in 10 s")
        #expect(method.throttledPerSecond == 3.0, "30 refusals by the method's limit in 10 s")
        #expect(account.ratePerSecond == 6.0)
    }

    func selectedLog(_ app: ConsoleApp) -> String? {
        let rows = ConsoleReducer.visibleLogs(app.state)
        return rows.indices.contains(app.state.currentSelection) ? rows[app.state.currentSelection].record.requestId : nil
    }

    @Test func pausedLogsHoldTheirRecordsPageBackAndSearchTheStore() throws {
        let (store, apiId, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = Date().addingTimeInterval(-10_000)
        func calls(_ range: Range<Int>, failed: Set<Int> = []) -> [AccessLogRecord] {
            range.map { i in
                AccessLogRecord(requestId: "r\(i)", time: start.addingTimeInterval(Double(i) * 0.5), apiId: apiId, stage: "prod",
                                resourcePath: "/health", httpMethod: "GET", path: "/health", status: failed.contains(i) ? 502 : 200, latencyMs: 1)
            }
        }
        try store.writeTelemetry(calls(0..<3000, failed: [7]))
        let terminal = MemoryTerminal(width: 120, height: 40)
        let app = ConsoleApp(terminal: terminal, storePath: store.path, refresh: 600,
                             state: ConsoleState(operatorName: "t"), theme: Theme.noColor, themes: { _ in Theme.noColor })
        func keys(_ keys: Key...) {
            terminal.inputs = keys.map { .key($0) }
            app.run(shouldStop: { terminal.inputs.isEmpty })
        }
        keys(.char("3"), .char("k"))
        #expect(!app.state.logFollow)
        #expect(selectedLog(app) == "r2998")
        let shown = app.state.logs.map(\.id)
        // New rows while paused are counted, not shown: the rows and the selected record stay.
        try store.writeTelemetry(calls(3000..<6000))
        for _ in 0..<3 { app.reload() }
        #expect(app.state.logNewWhilePaused == 3000)
        #expect(app.state.logs.map(\.id) == shown)
        #expect(selectedLog(app) == "r2998")
        let screen = ConsoleRenderer.render(app.state, width: 120, height: 40).lines.joined(separator: "\n")
        #expect(screen.contains("paused  +3000 new"), "\(screen)")
        // At the top, going up pages back into the store.
        let oldest = try #require(app.state.logs.first?.record.requestId)
        keys(.char("g"), .char("k"))
        #expect(selectedLog(app) == "r\(Int(oldest.dropFirst())! - 1)", "the row just before the oldest one shown")
        #expect(app.state.logs.count == shown.count + ConsoleState.logPage)
        // N finds the previous failed call in the store, far before anything loaded.
        keys(.char("N"))
        #expect(selectedLog(app) == "r7")
        #expect(!app.state.logFollow)
        keys(.char("N"))
        #expect(selectedLog(app) == "r7", "nothing earlier failed")
        #expect(app.state.message?.contains("no earlier failed call") == true)
        // f follows again: the newest rows, the selection on the last.
        keys(.char("f"))
        #expect(app.state.logFollow)
        #expect(app.state.logNewWhilePaused == 0)
        #expect(selectedLog(app) == "r5999")
        #expect(app.state.logs.count == ConsoleState.logFollowRead)
    }

    @Test func logRowsAreReadOnlyWhileLogsFollowsOnScreenAndThenOnlyTheNewest() throws {
        let (store, apiId, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        func calls(_ range: Range<Int>) -> [AccessLogRecord] {
            range.map { AccessLogRecord(requestId: "r\($0)", time: Date(), apiId: apiId, stage: "prod", resourcePath: "/health",
                                        httpMethod: "GET", path: "/health", status: 200, latencyMs: 1) }
        }
        try store.writeTelemetry(calls(0..<100))
        let terminal = MemoryTerminal(width: 120, height: 40)
        let app = ConsoleApp(terminal: terminal, storePath: store.path, refresh: 600,
                             state: ConsoleState(operatorName: "t"), theme: Theme.noColor, themes: { _ in Theme.noColor })
        app.reload()
        #expect(app.state.logs.isEmpty, "the Overview does not read log rows")
        try store.writeTelemetry(calls(100..<5000))
        app.reload()
        #expect(app.state.logs.isEmpty)
        // Logs comes on screen with the newest rows at once, not at the next refresh.
        terminal.inputs = [.key(.char("3"))]
        app.run(shouldStop: { terminal.inputs.isEmpty })
        #expect(app.state.logs.count == ConsoleState.logFollowRead)
        #expect(app.state.logs.last?.record.requestId == "r4999")
        // Following, a few new rows are added to those held.
        try store.writeTelemetry(calls(5000..<5100))
        app.reload()
        #expect(app.state.logs.count == ConsoleState.logFollowRead + 100)
        #expect(app.state.logs.last?.record.requestId == "r5099")
        // A burst bigger than a refresh reads: only its newest rows, and they replace the held ones (no gap).
        try store.writeTelemetry(calls(5100..<9000))
        app.reload()
        #expect(app.state.logs.count == ConsoleState.logFollowRead)
        #expect(app.state.logs.first?.record.requestId == "r\(9000 - ConsoleState.logFollowRead)")
        #expect(app.state.logs.last?.record.requestId == "r8999")
        // The chart's points are computed for Charts alone, at once when it comes on screen.
        #expect(app.state.data.chart.isEmpty)
        terminal.inputs = [.key(.char("4"))]
        app.run(shouldStop: { terminal.inputs.isEmpty })
        #expect(app.state.data.chart.reduce(0) { $0 + $1.count } == 9000)
    }

    @Test func logsAreInRequestStartOrderAndTheSelectionFollowsItsRowThroughASort() throws {
        let (store, apiId, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let now = Date()
        func call(_ id: String, secondsAgo: Double, status: Int = 200, throttled: Bool = false) -> AccessLogRecord {
            AccessLogRecord(requestId: id, time: now.addingTimeInterval(-secondsAgo), apiId: apiId, stage: "prod", resourcePath: "/health",
                            httpMethod: "GET", path: "/health", status: status, latencyMs: secondsAgo * 1000, throttled: throttled)
        }
        // A slow call ends (and is logged) after two that started later.
        try store.writeTelemetry([call("fast1", secondsAgo: 2), call("fast2", secondsAgo: 1.5)])
        try store.writeTelemetry([call("slow", secondsAgo: 3)] + (0..<30).map { call("t\($0)", secondsAgo: 1, status: 429, throttled: true) })
        let terminal = MemoryTerminal(width: 120, height: 40)
        let app = ConsoleApp(terminal: terminal, storePath: store.path, refresh: 600,
                             state: ConsoleState(operatorName: "t"), theme: Theme.noColor, themes: { _ in Theme.noColor })
        terminal.inputs = [.key(.char("3"))]
        app.run(shouldStop: { terminal.inputs.isEmpty })
        #expect(Array(app.state.logs.prefix(3).map(\.record.requestId)) == ["slow", "fast1", "fast2"])
        // Throttles: the account row first; select the method's row, then sort by 429/s: it moves up, and
        // the selection goes with it.
        terminal.inputs = [.key(.char("6")), .key(.char("j"))]
        app.run(shouldStop: { terminal.inputs.isEmpty })
        #expect(ConsoleReducer.selectedIdentity(app.state)?.hasPrefix("stage-method") == true, "\(ConsoleReducer.selectedIdentity(app.state) ?? "-")")
        #expect(app.state.currentSelection == 1)
        terminal.inputs = [.key(.char("s"))]
        app.run(shouldStop: { terminal.inputs.isEmpty })
        #expect(ConsoleReducer.selectedIdentity(app.state)?.hasPrefix("stage-method") == true)
        #expect(app.state.currentSelection == 0)
        // A refresh that reorders nothing keeps it too.
        app.reload()
        #expect(ConsoleReducer.selectedIdentity(app.state)?.hasPrefix("stage-method") == true)
    }

    @Test func editingAThrottleWritesTheStoreWithAudit() throws {
        let (store, apiId, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keys: [Key] = [.char("6"), .char("j"), .char("e"), .backspace, .backspace, .char("3"), .tab, .backspace, .backspace, .char("4"),
                           .enter, .char("y"), .char("q")]
        let terminal = MemoryTerminal(width: 120, height: 40, inputs: keys.map { .key($0) })
        let app = ConsoleApp(terminal: terminal, storePath: store.path, refresh: 60,
                             state: ConsoleState(operatorName: "alice"), theme: Theme.noColor, themes: { _ in Theme.noColor })
        app.run()
        #expect(app.state.quit)
        let stage = try #require(try store.stage(apiId: apiId, stageName: "prod"))
        #expect(stage.methodSettings["/health/GET"]?.throttle == ThrottleLimit(rate: 3, burst: 4))
        let entry = try #require(try store.auditLog().first)
        #expect(entry.operatorName == "alice")
        #expect(entry.source == "console")
        #expect(entry.before == "50 rps / burst 50")
        #expect(entry.after == "3 rps / burst 4")
        #expect(terminal.frames > 3)
    }

    /// Issue 13, point 5: the console's command line creates, changes and deletes APIs, resources, methods and
    /// stages (each confirmed, audited under the operator), and `v` in APIs changes a stage's variables live.
    @Test func editCommandsCreateChangeAndDeleteWithAudit() throws {
        let (store, apiId, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        func command(_ text: String, confirm: Bool = true) -> [Key] {
            [.char(":")] + text.map { Key.char($0) } + [.enter] + (confirm ? [.char("y")] : [])
        }
        var keys: [Key] = []
        keys += command("resource create \(apiId) /orders/{id}")
        keys += command("method create \(apiId) GET /orders/{id} mock")
        keys += command("method create \(apiId) POST /orders http://127.0.0.1:9/orders")
        keys += command("deploy \(apiId) prod")
        keys += command("stage var \(apiId) prod", confirm: false)
        keys += [.char("2"), .char("v")] + "color=blue region=eu".map { Key.char($0) } + [.enter, .char("y")]
        keys += command("api rename \(apiId) Renamed API")
        keys += command("api create Scratch")
        keys += [.char("q")]
        let terminal = MemoryTerminal(width: 120, height: 40, inputs: keys.map { .key($0) })
        let app = ConsoleApp(terminal: terminal, storePath: store.path, refresh: 60,
                             state: ConsoleState(operatorName: "carol"), theme: Theme.noColor, themes: { _ in Theme.noColor })
        app.run()
        let definition = try #require(try store.definition(apiId: apiId))
        #expect(definition.restApi.name == "Renamed API")
        #expect(definition.resources.first { $0.path == "/orders/{id}" }?.resourceMethods["GET"]?.methodIntegration?.type == .mock)
        #expect(definition.resources.first { $0.path == "/orders" }?.resourceMethods["POST"]?.methodIntegration?.uri == "http://127.0.0.1:9/orders")
        let stage = try #require(try store.stage(apiId: apiId, stageName: "prod"))
        #expect(stage.variables == ["color": "blue", "region": "eu"])
        let served = try store.deployment(apiId: apiId, id: stage.deploymentId).snapshot
        #expect(served.resources.contains { $0.path == "/orders/{id}" }, "the console's deploy served the new resource")
        #expect(try store.restApis().contains { $0.name == "Scratch" })
        let audit = try store.auditLog(limit: 20)
        #expect(Set(["CreateResource", "PutMethod", "CreateDeployment", "UpdateStage(variables)", "UpdateRestApi", "CreateRestApi"])
                    .isSubset(of: Set(audit.map(\.action))), "\(audit.map(\.action))")
        #expect(audit.filter { $0.source == "console" }.allSatisfy { $0.operatorName == "carol" })
        // A command written wrong says how to write it and changes nothing.
        let wrong = MemoryTerminal(width: 120, height: 40, inputs: (command("stage var \(apiId) prod nonsense", confirm: false) + [.char("q")]).map { .key($0) })
        let second = ConsoleApp(terminal: wrong, storePath: store.path, refresh: 60, state: ConsoleState(operatorName: "carol"),
                                theme: Theme.noColor, themes: { _ in Theme.noColor })
        second.run()
        #expect(second.state.messageLog.last?.text.contains("write it :stage var API STAGE") == true, "\(second.state.messageLog)")
        #expect(try store.stage(apiId: apiId, stageName: "prod")?.variables == ["color": "blue", "region": "eu"])
    }

    @Test func callsCountAgainstTheMethodTheRouterChoseAnyIncluded() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(path: dir.appendingPathComponent("g.db").path)
        let actor = Actor(name: "setup", source: "test")
        let mock = Integration(type: .mock)
        let pets = Resource(id: "r1", parentId: "r0", pathPart: "pets", path: "/pets",
                            resourceMethods: ["GET": Method(httpMethod: "GET", methodIntegration: mock), "ANY": Method(httpMethod: "ANY", methodIntegration: mock)])
        let definition = ApiDefinition(restApi: RestApi(id: "api1", name: "Any"), resources: [Resource(id: "r0", parentId: nil, pathPart: "", path: "/"), pets])
        #expect(Router(resources: definition.resources).match(path: "/pets", verb: "POST")?.method.httpMethod == "ANY")
        #expect(Router(resources: definition.resources).match(path: "/pets", verb: "GET")?.method.httpMethod == "GET")
        try store.putApi(definition, mode: .overwrite, actor: actor)
        try store.deploy(apiId: "api1", stageName: "prod", description: nil, variables: [:], actor: actor)
        try store.setStageThrottle(apiId: "api1", stageName: "prod", methodKey: "/pets/ANY", limit: ThrottleLimit(rate: 1, burst: 1), actor: actor)
        let now = Date()
        var records: [AccessLogRecord] = []
        for i in 0..<30 {
            records.append(AccessLogRecord(requestId: "\(i)", time: now.addingTimeInterval(-Double(i % 3)), apiId: "api1", stage: "prod",
                                           resourcePath: "/pets", httpMethod: i < 20 ? "GET" : "POST", path: "/pets", status: 200, latencyMs: 1))
        }
        try store.writeTelemetry(records)
        let loader = ConsoleDataLoader(store: store)
        let data = try loader.load(window: .m5, chartTarget: nil, now: now)
        let get = try #require(data.methods.first { $0.httpMethod == "GET" }), any = try #require(data.methods.first { $0.httpMethod == "ANY" })
        #expect(get.sparkline.reduce(0, +) == 20 && any.sparkline.reduce(0, +) == 10, "GET answered its own calls, ANY the POSTs")
        let anyLimit = try #require(data.throttles.first { $0.methodKey == "/pets/ANY" })
        #expect(anyLimit.ratePerSecond == 1, "the ANY limit's rate counts only the calls ANY answered: \(anyLimit.ratePerSecond)")
        // The replay of /pets/ANY sees only the POSTs of the completed seconds (4, then 3), not the GETs beside them.
        let limit = ThrottleLimit(rate: 1, burst: 1)
        let replayed = try loader.preview(apiId: "api1", stage: "prod", methodKey: "/pets/ANY", limit: limit, now: now)
        #expect(replayed == TokenBucket.rejections(limit: limit, countsPerSecond: [4, 3]), "\(replayed)")
        #expect(try loader.preview(apiId: "api1", stage: "prod", methodKey: "/pets/GET", limit: limit, now: now)
                == TokenBucket.rejections(limit: limit, countsPerSecond: [6, 7]), "the GETs alone: 6, then 7")
    }

    @Test func theAPIsViewShowsEachCachedMethodsHitRatio() throws {
        let (store, apiId, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let loader = ConsoleDataLoader(store: store)
        let now = Date()
        #expect(try loader.load(window: .m5, chartTarget: nil, now: now).methods.first?.cache == nil, "no stage cache: off")
        try store.setStageCache(apiId: apiId, stageName: "prod", sizeMb: 8, actor: Actor(name: "setup", source: "test"))
        var records: [AccessLogRecord] = []
        for i in 0..<20 {
            var record = AccessLogRecord(requestId: "\(i)", time: now.addingTimeInterval(-Double(i)), apiId: apiId, stage: "prod",
                                         resourcePath: "/health", httpMethod: "GET", path: "/health", status: 200, latencyMs: 1)
            record.cacheResult = i < 15 ? .hit : .miss
            records.append(record)
        }
        try store.writeTelemetry(records)
        // A fresh loader: the first one keeps the completed buckets it read before these rows were back-dated into them.
        let row = try #require(try ConsoleDataLoader(store: store).load(window: .m5, chartTarget: nil, now: now).methods.first)
        #expect(row.cache == CacheCounts(hits: 15, misses: 5))
        var state = ConsoleState()
        state.data.methods = [row]
        state.view = .apis
        let screen = ConsoleRenderer.render(state, width: 160, height: 30).lines
        #expect(screen.contains { $0.contains("CACHE") }, "\(screen.joined(separator: "\n"))")
        #expect(screen.contains { $0.contains("/health") && $0.contains("75%") }, "\(screen.joined(separator: "\n"))")
    }

    @Test func keysAndPlansReadTheStoreReplayAKeysTrafficAndWriteWithAudit() throws {
        let (store, apiId, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let actor = Actor(name: "setup", source: "test")
        let now = Date()
        let plan = try store.createUsagePlan(name: "gold", throttle: ThrottleLimit(rate: 100, burst: 100), quota: QuotaSettings(limit: 1000, period: .day),
                                             stages: [UsagePlanStage(apiId: apiId, stage: "prod")], actor: actor)
        let busy = try store.createApiKey(name: "busy", actor: actor)
        let quiet = try store.createApiKey(name: "quiet", actor: actor)
        let lost = try store.createApiKey(name: "lost", actor: actor)
        for key in [busy, quiet] { try store.addKeyToPlan(planId: plan.id, keyId: key.id, actor: actor) }
        try store.addKeyUsage([KeyUsage(planId: plan.id, keyId: busy.id, day: UsageDay.string(now), used: 600)])
        // busy: 30 calls a second for the last 60 s; quiet: one call.
        var records: [AccessLogRecord] = []
        for second in 1...60 {
            for i in 0..<30 {
                records.append(AccessLogRecord(requestId: "\(second)-\(i)", time: now.addingTimeInterval(-Double(second) + Double(i) / 30), apiId: apiId,
                                               stage: "prod", resourcePath: "/health", httpMethod: "GET", path: "/health", status: 200,
                                               latencyMs: 1, apiKeyId: busy.id))
            }
        }
        records.append(AccessLogRecord(requestId: "q", time: now.addingTimeInterval(-5), apiId: apiId, stage: "prod", resourcePath: "/health",
                                       httpMethod: "GET", path: "/health", status: 200, latencyMs: 1, apiKeyId: quiet.id))
        try store.writeTelemetry(records)

        let loader = ConsoleDataLoader(store: store)
        let rows = try loader.load(window: .m5, chartTarget: nil, now: now).keyPlans
        #expect(rows.map(\.identity) == ["\(plan.id) ", "\(plan.id) \(busy.id)", "\(plan.id) \(quiet.id)", "- \(lost.id)"])
        #expect(rows[1].today == 600 && rows[1].used == 600 && rows[1].remaining == 400)
        #expect(rows[2].remaining == 1000 && rows[0].quota?.limit == 1000)
        // Each key's traffic through a bucket of its own: 10/s against busy's 30/s rejects about 20 a second.
        let preview = try loader.previewPlan(planId: plan.id, limit: ThrottleLimit(rate: 10, burst: 10), now: now)
        var counts = [Int](repeating: 0, count: 3600)
        for record in records where record.apiKeyId == busy.id {
            let index = Int(record.time.timeIntervalSince1970) - Int(now.timeIntervalSince1970) + 3600  // the loader's second of the last hour
            if counts.indices.contains(index) { counts[index] += 1 }
        }
        #expect(preview.rejected == TokenBucket.rejections(limit: ThrottleLimit(rate: 10, burst: 10), countsPerSecond: counts), "\(preview)")
        #expect(preview.rejected > 1000 && (59...61).contains(preview.seconds), "\(preview)")
        #expect(try loader.previewPlan(planId: plan.id, limit: ThrottleLimit(rate: 100, burst: 100), now: now).rejected == 0)

        // Through the console: the plan's throttle to 20/40, its quota to 500/day, busy disabled; each audited as alice.
        let keys: [Key] = [.char("7"), .char("e"), .ctrl("u"), .char("2"), .char("0"), .tab, .ctrl("u"), .char("4"), .char("0"), .enter, .char("y"),
                           .char("E"), .ctrl("u")] + "500/day".map { Key.char($0) } + [.enter, .char("y"), .char("j"), .char("d"), .char("y"), .char("q")]
        let terminal = MemoryTerminal(width: 120, height: 40, inputs: keys.map { .key($0) })
        let app = ConsoleApp(terminal: terminal, storePath: store.path, refresh: 60,
                             state: ConsoleState(operatorName: "alice"), theme: Theme.noColor, themes: { _ in Theme.noColor })
        app.run()
        let saved = try store.usagePlan(id: plan.id)
        #expect(saved.throttle == ThrottleLimit(rate: 20, burst: 40))
        #expect(saved.quota == QuotaSettings(limit: 500, period: .day))
        #expect(try store.apiKey(id: busy.id).enabled == false)
        let audit = try store.auditLog(limit: 3)
        #expect(audit.map(\.action) == ["UpdateApiKey(enabled)", "UpdateUsagePlan", "UpdateUsagePlan"], "\(audit.map(\.action))")
        #expect(audit.allSatisfy { $0.operatorName == "alice" && $0.source == "console" })
    }

    @Test func acknowledgingFromTheConsoleAndTheBell() throws {
        let (store, apiId, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rule = AlarmRule(name: "health-5xx", metric: .error5xx, dimensions: AlarmDimensions(apiId: apiId), statistic: .sum, period: 60,
                             evaluationPeriods: 1, comparison: .greaterThanOrEqualToThreshold, threshold: 1)
        try store.putAlarm(rule, actor: Actor(name: "setup", source: "test"))
        let terminal = MemoryTerminal(width: 120, height: 40)
        let app = ConsoleApp(terminal: terminal, storePath: store.path, refresh: 60,
                             state: ConsoleState(operatorName: "bob"), theme: Theme.noColor, themes: { _ in Theme.noColor })
        app.reload()
        #expect(terminal.bells == 0)
        try store.applyAlarmEvaluation(name: "health-5xx", from: .insufficientData, outcome: .init(state: .alarm, reason: "bad"))
        app.reload()
        #expect(terminal.bells == 1, "a newly firing alarm rings once")
        app.reload()
        #expect(terminal.bells == 1)
        terminal.inputs = ([.char("5"), .char("a")] + "db failover".map { Key.char($0) } + [.enter, .char("y"), .char("q")]).map { .key($0) }
        app.run()
        let status = try #require(try store.alarm(name: "health-5xx"))
        #expect(status.acknowledgedBy == "bob")
        #expect(status.acknowledgeNote == "db failover")
        let screen = try #require(terminal.frame).lines.joined(separator: "\n")
        #expect(screen.contains("health-5xx"))
    }

    @Test func aWriterHoldingTheStoreDoesNotStopTheConsole() throws {
        let (store, _, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Another process in the middle of a write transaction (WAL: readers carry on).
        let other = try DatabaseQueue(path: store.path)
        try other.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.execute(sql: "UPDATE account SET throttle_rate = 1")
            let terminal = MemoryTerminal(width: 100, height: 30, inputs: [.key(.char("q"))])
            let app = ConsoleApp(terminal: terminal, storePath: store.path, refresh: 60, state: ConsoleState(),
                                 theme: Theme.noColor, themes: { _ in Theme.noColor })
            app.run()
            #expect(app.state.storeProblem == nil)
            #expect(app.state.data.overview.first?.apiName == "Health")
            try db.execute(sql: "ROLLBACK")
        }
    }

    @Test func missingStoreIsAMessageNotACrash() throws {
        let terminal = MemoryTerminal(width: 80, height: 24, inputs: [.key(.char("2")), .key(.char("q"))])
        let app = ConsoleApp(terminal: terminal, storePath: "/nonexistent/gatehouse.db", refresh: 60,
                             state: ConsoleState(), theme: Theme.noColor, themes: { _ in Theme.noColor })
        app.run()
        let screen = try #require(terminal.frame).lines.joined(separator: "\n")
        #expect(screen.contains("Store problem: no store at /nonexistent/gatehouse.db"))
    }
}

/// The Logs filter's authorization tokens.
@Suite struct AuthFilterTests {
    func record(status: Int, error: String?, principal: String?, routed: Bool = true) -> AccessLogRecord {
        var record = AccessLogRecord(requestId: "r", time: Date(), apiId: "a", stage: "prod", resourcePath: routed ? "/pets" : nil,
                                     httpMethod: "GET", path: "/pets", status: status, latencyMs: 1, error: error)
        record.principal = principal
        return record
    }

    @Test func authDeniedFindsRefusalsOfAuthorizersSignaturesAndPolicies() throws {
        let denied = try #require(ConsoleFilter("auth:denied"))
        for error in ["UNAUTHORIZED: no token in Authorization", "ACCESS_DENIED: User: anonymous is not authorized", "INVALID_SIGNATURE: Signature expired",
                      "AUTHORIZER_FAILURE: the authorizer answered 500", "MISSING_AUTHENTICATION_TOKEN"] {
            #expect(denied.matches(record(status: 403, error: error, principal: nil), text: ""), "\(error)")
        }
        #expect(!denied.matches(record(status: 200, error: nil, principal: "user-1"), text: ""))
        #expect(!denied.matches(record(status: 429, error: "THROTTLED", principal: nil), text: ""))
        #expect(!denied.matches(record(status: 403, error: "MISSING_AUTHENTICATION_TOKEN", principal: nil, routed: false), text: ""),
                "an unknown route is not an authorization refusal")
        let caller = try #require(ConsoleFilter("caller:user-1 auth:allowed"))
        #expect(caller.matches(record(status: 200, error: nil, principal: "user-1"), text: ""))
        #expect(!caller.matches(record(status: 200, error: nil, principal: "user-2"), text: ""))
    }
}

/// The APIs view's AUTH column names the guard.
@Suite struct AuthColumnTests {
    @Test func theColumnNamesTheAuthorizerAndThePolicy() {
        let authorizer = Authorizer(id: "au1", name: "users", type: "JWT", jwtConfiguration: .init(issuer: "https://i.test", audience: ["a"]))
        var definition = ApiDefinition(restApi: RestApi(id: "a", name: "A"), resources: [], authorizers: [authorizer])
        var jwt = Method(httpMethod: "GET", authorizationType: "JWT")
        jwt.authorizerId = "au1"
        #expect(ConsoleDataLoader.describeAuthorization(jwt, definition: definition) == "JWT users")
        #expect(ConsoleDataLoader.describeAuthorization(Method(httpMethod: "GET", authorizationType: "AWS_IAM"), definition: definition) == "IAM")
        definition.restApi.policy = #"{"Statement":[]}"#
        #expect(ConsoleDataLoader.describeAuthorization(Method(httpMethod: "GET"), definition: definition) == "NONE +pol")
    }
}
