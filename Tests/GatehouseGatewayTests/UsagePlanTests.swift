import Foundation
import GatehouseCore
@testable import GatehouseGateway
import GatehouseStore
import NIOConcurrencyHelpers
import Testing

/// API keys, usage plans, throttles per key and quotas, through `gatehouse serve`, the CLI and curl.
@Suite struct UsagePlanTests {
    /// Two methods that require a key (MOCK, so no backend is needed) and one open method.
    static let keyedAPI = """
        openapi: 3.0.1
        info: {title: Keyed, version: "1"}
        x-amazon-apigateway-api-key-source: HEADER
        components:
          securitySchemes:
            api_key: {type: apiKey, name: x-api-key, in: header}
        paths:
          /keyed:
            get:
              security: [{api_key: []}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"where":"keyed"}'}}}
          /other:
            get:
              security: [{api_key: []}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"where":"other"}'}}}
          /open:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"where":"open"}'}}}
        """

    /// A store with the keyed API imported and deployed to `prod`.
    static func keyedStore(_ dir: TempDir) async throws -> (db: String, apiId: String) {
        try await sampleStore(dir, apiText: keyedAPI)
    }

    /// Runs `gatehouse ARGS --store db`, failing the test on a non-zero exit; stdout trimmed.
    static func cli(_ db: String, _ arguments: [String]) async throws -> String {
        let result = try await run(Binary.gatehouse, arguments + ["--store", db])
        guard result.status == 0 else { throw TestFailure("gatehouse \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A key's id and value from `key create`.
    static func createKey(_ db: String, _ name: String) async throws -> (id: String, value: String) {
        let parts = try await cli(db, ["key", "create", "--name", name]).split(separator: "\t").map(String.init)
        guard parts.count == 2 else { throw TestFailure("key create printed \(parts)") }
        return (parts[0], parts[1])
    }

    /// Status and body of a GET with an optional key.
    static func call(_ url: String, key: String?) async throws -> (Int, String) {
        statusAndBody(try await curl(["-w", "\n%{http_code}"] + (key.map { ["-H", "x-api-key: \($0)"] } ?? []) + [url]).stdout)
    }

    /// Waits until `url` answers `status` for `key` (a change is enforced within a second).
    static func waitForStatus(_ url: String, key: String?, _ status: Int, timeout: Double = 5) async throws {
        try await waitUntilAsync("\(url) answering \(status)", timeout: timeout) { try await call(url, key: key).0 == status }
    }

    @Test func keysGetInThroughTheirPlanAndAKeyOverItsRateIsThrottledWhileAnotherIsServed() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await Self.keyedStore(dir)
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        let keyed = base + "/keyed"

        #expect(try await Self.call(base + "/open", key: nil) == (200, #"{"where":"open"}"#))
        #expect(try await Self.call(keyed, key: nil) == (403, #"{"message":"Forbidden"}"#), "no key")
        #expect(try await Self.call(keyed, key: "not-a-key-at-all-0123456789").0 == 403, "an unknown key")
        let slow = try await Self.createKey(db, "slow-customer")
        let fast = try await Self.createKey(db, "fast-customer")
        try await Task.sleep(for: .milliseconds(1200))  // past a config poll: a key on no plan is still refused
        #expect(try await Self.call(keyed, key: slow.value).0 == 403, "a key on no plan for the stage")

        let bronze = try await Self.cli(db, ["plan", "create", "--name", "bronze", "--rate", "0.05", "--burst", "2", "--stage", "\(apiId)/prod"])
        let gold = try await Self.cli(db, ["plan", "create", "--name", "gold", "--rate", "1000", "--burst", "1000", "--stage", "\(apiId)/prod"])
        _ = try await Self.cli(db, ["plan", "add-key", "--plan", bronze, "--key", slow.id])
        _ = try await Self.cli(db, ["plan", "add-key", "--plan", gold, "--key", fast.id])
        try await Self.waitForStatus(keyed, key: fast.value, 200)
        #expect(try await Self.call(keyed, key: fast.value) == (200, #"{"where":"keyed"}"#))

        // bronze: a burst of 2, then one call every 20 s (0.5 a second let a token back in on a loaded machine);
        // gold beside it is not touched by bronze's limit.
        var slowStatuses: [Int] = []
        for _ in 0..<5 { slowStatuses.append(try await Self.call(keyed, key: slow.value).0) }
        #expect(slowStatuses.prefix(2) == [200, 200], "\(slowStatuses)")
        #expect(slowStatuses.suffix(3).allSatisfy { $0 == 429 }, "\(slowStatuses)")
        #expect(try await Self.call(keyed, key: slow.value) == (429, #"{"message":"Too Many Requests"}"#))
        for _ in 0..<5 { #expect(try await Self.call(keyed, key: fast.value).0 == 200, "the other key on the same method is served") }

        // A key is on at most one plan per API stage.
        let twice = try await run(Binary.gatehouse, ["plan", "add-key", "--plan", gold, "--key", slow.id, "--store", db])
        #expect(twice.status == 1)
        #expect(twice.stderr.contains("already on usage plan \(bronze) for stage \(apiId)/prod"), "\(twice.stderr)")

        // Disabled: refused as an unknown key, within a second; enabled again: back.
        _ = try await Self.cli(db, ["key", "disable", fast.id])
        try await Self.waitForStatus(keyed, key: fast.value, 403, timeout: 2)
        _ = try await Self.cli(db, ["key", "enable", fast.id])
        try await Self.waitForStatus(keyed, key: fast.value, 200, timeout: 2)
        // Off the plan: refused.
        _ = try await Self.cli(db, ["plan", "remove-key", "--plan", gold, "--key", fast.id])
        try await Self.waitForStatus(keyed, key: fast.value, 403, timeout: 2)

        // The access log names the key of each call it admitted or throttled (never its value).
        let log = try Store(path: db, access: .readOnly)
        try await waitUntil("keyed calls in the access log") {
            try log.accessLog(after: 0, limit: 1000).contains { $0.record.apiKeyId == fast.id && $0.record.status == 200 }
        }
        let rows = try log.accessLog(after: 0, limit: 1000).map(\.record)
        #expect(rows.contains { $0.apiKeyId == slow.id && $0.status == 429 })
        #expect(rows.filter { $0.status == 403 }.allSatisfy { $0.apiKeyId == nil })
        #expect(!rows.contains { $0.apiKeyId == slow.value || $0.apiKeyId == fast.value })
        let shown = try await Self.cli(db, ["plan", "show", bronze])
        #expect(shown.contains("throttle:    0.05 rps / burst 2 (per key)") && shown.contains(slow.id), "\(shown)")
        let store = try Store(path: db, access: .readOnly)
        let actions = try store.auditLog(limit: 50).map(\.action)
        for action in ["CreateUsagePlan", "CreateUsagePlanKey", "DeleteUsagePlanKey", "UpdateApiKey(enabled)"] {
            #expect(actions.contains(action), "\(action) is audited: \(actions)")
        }
    }

    @Test func aPlansPerMethodLimitWinsOverItsPerKeyLimit() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await Self.keyedStore(dir)
        let key = try await Self.createKey(db, "k")
        let plan = try await Self.cli(db, ["plan", "create", "--name", "p", "--rate", "1000", "--burst", "1000", "--stage", "\(apiId)/prod"])
        _ = try await Self.cli(db, ["plan", "add-key", "--plan", plan, "--key", key.id])
        _ = try await Self.cli(db, ["plan", "throttle", "--plan", plan, "--stage", "\(apiId)/prod", "--method", "GET /keyed", "--rate", "0.2", "--burst", "1"])
        let unknown = try await run(Binary.gatehouse, ["plan", "throttle", "--plan", plan, "--stage", "\(apiId)/prod", "--method", "GET /nowhere",
                                                       "--rate", "1", "--burst", "1", "--store", db])
        #expect(unknown.status == 1 && unknown.stderr.contains("GET /nowhere"), "\(unknown.stderr)")
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        #expect(try await Self.call(base + "/keyed", key: key.value).0 == 200)
        #expect(try await Self.call(base + "/keyed", key: key.value).0 == 429, "GET /keyed has its own plan limit: burst 1")
        for _ in 0..<5 { #expect(try await Self.call(base + "/other", key: key.value).0 == 200, "the plan's own limit is far from spent") }
    }

    @Test func aSpentQuotaIs429UntilThePeriodTurnsAndSurvivesARestartAndASecondWorker() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await Self.keyedStore(dir)
        let key = try await Self.createKey(db, "metered")
        let plan = try await Self.cli(db, ["plan", "create", "--name", "metered", "--quota", "4", "--period", "DAY", "--stage", "\(apiId)/prod"])
        _ = try await Self.cli(db, ["plan", "add-key", "--plan", plan, "--key", key.id])
        let store = try Store(path: db, access: .readOnly)
        func stored() throws -> Int { try store.keyUsage(fromDay: "2000-01-01", planId: plan).reduce(0) { $0 + $1.used } }

        // Worker 1 serves two calls; once they are in the store, worker 2 (same store) has two left.
        let sync = ["--usage-sync-interval", "0.2"]
        let (first, firstPort) = try await startWorker(db, arguments: sync)
        defer { first.signal(SIGKILL) }
        let (second, secondPort) = try await startWorker(db, arguments: sync)
        defer { second.signal(SIGKILL) }
        let path = "/restapis/\(apiId)/prod/_user_request_/keyed"
        for _ in 0..<2 { #expect(try await Self.call("http://127.0.0.1:\(firstPort)\(path)", key: key.value).0 == 200) }
        try await waitUntil("worker 1's calls in the store", timeout: 5) { try stored() == 2 }
        try await Task.sleep(for: .milliseconds(1200))  // worker 2 reads the total on its next sync (every 0.2 s)
        for _ in 0..<2 { #expect(try await Self.call("http://127.0.0.1:\(secondPort)\(path)", key: key.value).0 == 200) }
        #expect(try await Self.call("http://127.0.0.1:\(secondPort)\(path)", key: key.value) == (429, #"{"message":"Limit Exceeded"}"#))
        try await waitUntil("worker 2's calls in the store", timeout: 5) { try stored() == 4 }
        try await Task.sleep(for: .milliseconds(1200))
        #expect(try await Self.call("http://127.0.0.1:\(firstPort)\(path)", key: key.value).0 == 429, "worker 1 sees worker 2's calls")

        // A restart keeps the count.
        first.signal(SIGTERM)
        #expect(try await first.waitForExit() == 0)
        let (third, thirdPort) = try await startWorker(db)
        defer { third.signal(SIGKILL) }
        #expect(try await Self.call("http://127.0.0.1:\(thirdPort)\(path)", key: key.value).0 == 429, "a restarted worker does not reset the quota")

        // GetUsage: today's 4 calls, none remaining.
        let today = UsageDay.string(Date())
        let csv = try await Self.cli(db, ["usage", "--plan", plan, "--from", today, "--to", today, "--csv"])
        #expect(csv == "key_id,key_name,day,used,remaining\n\(key.id),metered,\(today),4,0", "\(csv)")
    }

    @Test func theQuotaTurnsWithItsPeriodOnTheWorkersClock() async throws {
        // 23:59:58 UTC on a Sunday; the clock is moved, not waited for.
        let start = try #require(UsageDay.date("2026-11-29")).addingTimeInterval(86_400 - 2)
        let now = NIOLockedValueBox(start)
        let backend = try await BackendProcess()
        defer { backend.stop() }
        var keyValue = ""
        let gw = try await GatewayHarness.start(backendPort: backend.port, apiText: Self.keyedAPI, prepare: { store, apiId in
            let actor = Actor(name: "test", source: "test")
            let key = try store.createApiKey(name: "k", actor: actor)
            keyValue = key.value ?? ""
            let plan = try store.createUsagePlan(name: "daily", quota: QuotaSettings(limit: 2, period: .day),
                                                 stages: [UsagePlanStage(apiId: apiId, stage: "prod")], actor: actor, now: start)
            try store.addKeyToPlan(planId: plan.id, keyId: key.id, actor: actor)
        }, configure: { options in
            options.clock = { now.withLockedValue { $0 } }
            options.usageSyncInterval = 0.1
        })
        defer { Task { try? await gw.stop() } }
        let url = gw.url("/keyed")
        #expect(try await Self.call(url, key: keyValue).0 == 200)
        #expect(try await Self.call(url, key: keyValue).0 == 200)
        #expect(try await Self.call(url, key: keyValue) == (429, #"{"message":"Limit Exceeded"}"#))
        now.withLockedValue { $0 = start.addingTimeInterval(3) }  // Monday 00:00:01
        #expect(try await Self.call(url, key: keyValue).0 == 200, "a new day, a new quota")
        try await waitUntil("both days in the store") { try gw.store.keyUsage(fromDay: "2026-11-29").count == 2 }
        let days = try gw.store.keyUsage(fromDay: "2026-11-29").map { "\($0.day)=\($0.used)" }
        #expect(days == ["2026-11-29=2", "2026-11-30=1"])
        try await gw.stop()
    }

    @Test func keysImportFromAnAWSCSVAllOrNothingAndAMethodIsKeyedFromTheCLI() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await Self.keyedStore(dir)
        let plan = try await Self.cli(db, ["plan", "create", "--name", "partners", "--stage", "\(apiId)/prod"])
        // A bad file: every problem named by its line, and no key created.
        let bad = dir.path("bad.csv")
        try """
            Name,Key,Description,Enabled,UsagePlanIds
            ok,abcdefghijklmnopqrstuvwxyz0123,fine,true,\(plan)
            short,tooShort,,true,
            flag,ABCDEFGHIJKLMNOPQRSTUVWXYZ0123,,maybe,
            """.write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try await run(Binary.gatehouse, ["key", "import", bad, "--store", db])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("line 3: an API key value needs at least 20 characters"), "\(refused.stderr)")
        #expect(refused.stderr.contains("line 4: Enabled is true or false, not 'maybe'"), "\(refused.stderr)")
        let unknownPlan = dir.path("unknown.csv")
        try "name,key,usageplanids\nfirst,abcdefghijklmnopqrstuvwxyz0123,\(plan)\nsecond,ABCDEFGHIJKLMNOPQRSTUVWXYZ0123,nosuchplan\n"
            .write(toFile: unknownPlan, atomically: true, encoding: .utf8)
        let partial = try await run(Binary.gatehouse, ["key", "import", unknownPlan, "--store", db])
        #expect(partial.status == 1 && partial.stderr.contains("line 3: usage plan nosuchplan does not exist"), "\(partial.stderr)")
        #expect(try Store(path: db, access: .readOnly).apiKeys().isEmpty, "nothing half-imported")

        // A good one: quoted fields, a generated value, keys on the plan at once.
        let good = dir.path("keys.csv")
        try """
            Name,Key,Description,Enabled,UsagePlanIds
            "Acme, Inc.",abcdefghijklmnopqrstuvwxyz0123,"the ""big"" one",TRUE,\(plan)
            generated,,,false,\(plan)
            """.write(toFile: good, atomically: true, encoding: .utf8)
        let imported = try await Self.cli(db, ["key", "import", good])
        let lines = imported.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(lines.count == 2 && lines[0][1] == "Acme, Inc." && lines[0][2] == "abcdefghijklmnopqrstuvwxyz0123", "\(imported)")
        #expect(lines.count == 2 && lines[1][2].count == 40, "a generated value: \(imported)")
        let store = try Store(path: db, access: .readOnly)
        #expect(try store.planKeys(planId: plan).map(\.name) == ["Acme, Inc.", "generated"])
        #expect(try store.apiKeys().first { $0.name == "generated" }?.enabled == false)
        #expect(try store.apiKeys().first { $0.name == "Acme, Inc." }?.description == "the \"big\" one")

        // /open gets a key requirement from the CLI; served keyed after the next deploy.
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let open = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_/open"
        #expect(try await Self.call(open, key: nil).0 == 200)
        _ = try await Self.cli(db, ["method", "set", "--api", apiId, "--method", "GET /open", "--api-key-required", "true"])
        _ = try await Self.cli(db, ["deploy", "--api", apiId, "--stage", "prod"])
        try await Self.waitForStatus(open, key: nil, 403, timeout: 3)
        #expect(try await Self.call(open, key: "abcdefghijklmnopqrstuvwxyz0123").0 == 200)
        // Keys from an authorizer need a custom authorizer on the method to give them: without one, deploy refuses.
        _ = try await Self.cli(db, ["api", "set", "--api", apiId, "--key-source", "AUTHORIZER"])
        let deploy = try await run(Binary.gatehouse, ["deploy", "--store", db, "--api", apiId, "--stage", "prod"])
        #expect(deploy.status == 1 && deploy.stderr.contains("apiKeySource AUTHORIZER"), "\(deploy.stderr)")
    }

    @Test func aBurstOfNAdmitsExactlyTheSmallerOfNAndTheBurstAndUnchangedBucketsKeepTheirTokens() async throws {
        let backend = try await BackendProcess()
        defer { backend.stop() }
        var values: [String: String] = [:]
        var planId = ""
        // Rates of one call in 1,000 s: no token comes back while the test runs.
        let gw = try await GatewayHarness.start(backendPort: backend.port, apiText: Self.keyedAPI, prepare: { store, api in
            let actor = Actor(name: "test", source: "test")
            let plan = try store.createUsagePlan(name: "burst", throttle: ThrottleLimit(rate: 0.001, burst: 5),
                                                 stages: [UsagePlanStage(apiId: api, stage: "prod")], actor: actor)
            planId = plan.id
            for name in ["three", "eight", "stage"] {
                let key = try store.createApiKey(name: name, actor: actor)
                values[name] = key.value
                try store.addKeyToPlan(planId: plan.id, keyId: key.id, actor: actor)
            }
            try store.setStageThrottle(apiId: api, stageName: "prod", methodKey: "/other/GET", limit: ThrottleLimit(rate: 0.001, burst: 4), actor: actor)
        })
        defer { Task { try? await gw.stop() } }
        func burst(_ path: String, key: String?, _ count: Int) async throws -> [Int] {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<count { group.addTask { try await Self.call(gw.url(path), key: key).0 } }
                return try await group.reduce(into: []) { $0.append($1) }.sorted()
            }
        }
        #expect(try await burst("/keyed", key: values["three"], 3) == [200, 200, 200])
        #expect(try await burst("/keyed", key: values["eight"], 8) == Array(repeating: 200, count: 5) + Array(repeating: 429, count: 3))
        // The stage's method limit (burst 4) is tighter than the key's (5): it answers.
        #expect(try await burst("/other", key: values["stage"], 6) == Array(repeating: 200, count: 4) + Array(repeating: 429, count: 2))

        // A configuration change elsewhere (the plan's quota) keeps what the key buckets hold: "three" has 2 left.
        let bucket = "plan:\(planId)/key:\(try #require(try gw.store.apiKeys().first { $0.name == "three" }).id)"
        #expect((gw.gateway.throttles.tokens(bucketKey: bucket) ?? 0) < 2.01)
        let version = try gw.store.configVersion()
        try gw.store.updateUsagePlan(id: planId, Store.PlanUpdate(quota: .some(QuotaSettings(limit: 1000, period: .month))),
                                     actor: Actor(name: "test", source: "test"))
        try await waitUntil("the change applied") { gw.gateway.table.value.configuration.version > version }
        #expect(try await burst("/keyed", key: values["three"], 3) == [200, 200, 429])
    }

    @Test func aChangeReachesCallsOnAnOpenKeepAliveConnection() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await Self.keyedStore(dir)
        let key = try await Self.createKey(db, "live")
        let plan = try await Self.cli(db, ["plan", "create", "--name", "live", "--stage", "\(apiId)/prod"])
        _ = try await Self.cli(db, ["plan", "add-key", "--plan", plan, "--key", key.id])
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let url = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_/keyed"
        // One curl, one connection, 40 calls 0.2 s apart; the key is disabled (a store write, as any process makes
        // it) while they run, leaving seconds for the worker to pick it up even on a loaded machine.
        let calls = Task {
            try await curl(["--rate", "5/s", "-H", "x-api-key: \(key.value)", "-w", "%{http_code} %{num_connects}\n"]
                           + Array(repeating: ["-o", "/dev/null", url], count: 40).flatMap { $0 })
        }
        let store = try Store(path: db, access: .readOnly)
        try await waitUntil("a few calls served", timeout: 10) { try store.accessLog(after: 0, limit: 100).count >= 3 }
        try Store(path: db).setApiKeyEnabled(id: key.id, enabled: false, actor: Actor(name: "test", source: "test"))
        let lines = try await calls.value.stdout.split(separator: "\n").map { $0.split(separator: " ") }
        let statuses = lines.map { String($0.first ?? "") }
        #expect(statuses.count == 40)
        #expect(statuses.first == "200" && statuses.last == "403", "\(statuses)")
        #expect(statuses.drop { $0 == "200" }.allSatisfy { $0 == "403" }, "once refused, refused: \(statuses)")
        #expect(lines.compactMap { $0.last.flatMap { Int($0) } }.reduce(0, +) == 1, "one connection throughout: \(lines)")
    }

    @Test func aKeyOffItsPlanAndACacheTurnedOffLeaveNothingBehindInTheWorker() async throws {
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let actor = Actor(name: "test", source: "test")
        var keyId = "", keyValue = "", planId = ""
        let gw = try await GatewayHarness.start(backendPort: backend.port, apiText: Self.keyedAPI, prepare: { store, apiId in
            let key = try store.createApiKey(name: "k", actor: actor)
            (keyId, keyValue) = (key.id, key.value ?? "")
            planId = try store.createUsagePlan(name: "p", stages: [UsagePlanStage(apiId: apiId, stage: "prod")], actor: actor).id
            try store.addKeyToPlan(planId: planId, keyId: key.id, actor: actor)
            try store.setStageCache(apiId: apiId, stageName: "prod", sizeMb: 1, actor: actor)
            try store.setMethodCache(apiId: apiId, stageName: "prod", methodKey: "/keyed/GET", enabled: true, ttl: 60, actor: actor)
        })
        defer { Task { try? await gw.stop() } }
        #expect(try await Self.call(gw.url("/keyed"), key: keyValue).0 == 200)
        #expect(gw.gateway.meters.quotaState(planId: planId, keyId: keyId) != nil)
        #expect(gw.gateway.caches.cache(apiId: gw.apiId, stage: "prod")?.usage.entries == 1)
        try gw.store.removeKeyFromPlan(planId: planId, keyId: keyId, actor: actor)
        try gw.store.setStageCache(apiId: gw.apiId, stageName: "prod", sizeMb: nil, actor: actor)
        try await waitUntil("the meter and the cache let go") {
            gw.gateway.meters.quotaState(planId: planId, keyId: keyId) == nil && gw.gateway.caches.cache(apiId: gw.apiId, stage: "prod") == nil
        }
        #expect(try await Self.call(gw.url("/keyed"), key: keyValue).0 == 403)
        // The key's call was written before its meter went: usage keeps it.
        #expect(try gw.store.keyUsage(fromDay: "2000-01-01", planId: planId).reduce(0) { $0 + $1.used } == 1)
    }

    @Test func deployRefusesAMethodItCannotGuardAndAChangedStoreAnswers500() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let spec = dir.path("authorized.yaml"), db = dir.path("g.db")
        let authorized = Self.keyedAPI.replacingOccurrences(of: "    api_key: {type: apiKey, name: x-api-key, in: header}",
                                                            with: "    api_key: {type: apiKey, name: x-api-key, in: header}\n    jwt: {type: http, scheme: bearer}")
            .replacingOccurrences(of: "  /other:\n    get:\n      security: [{api_key: []}]",
                                  with: "  /other:\n    get:\n      security: [{jwt: []}]")
        #expect(authorized.contains("security: [{jwt: []}]"))
        try authorized.write(toFile: spec, atomically: true, encoding: .utf8)
        let imported = try await run(Binary.gatehouse, ["import", spec, "--store", db])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("needs an authorizer"), "the import says so: \(imported.stderr)")
        let apiId = imported.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let deploy = try await run(Binary.gatehouse, ["deploy", "--store", db, "--api", apiId, "--stage", "prod"])
        #expect(deploy.status == 1)
        #expect(deploy.stderr.contains("GET /other: its authorization type is CUSTOM and it names no authorizer of the API"), "\(deploy.stderr)")
        #expect(deploy.stderr.contains("nothing was deployed"), "\(deploy.stderr)")
        let store = try Store(path: db, access: .readOnly)
        #expect(try store.stages(apiId: apiId).isEmpty)

        // A deployment changed behind the CLI's back (its open method now asks for an authorizer): 500, never served.
        let (keyedDb, keyedApi) = try await Self.keyedStore(try TempDir())
        let (worker, port) = try await startWorker(keyedDb)
        defer { worker.signal(SIGKILL) }
        let open = "http://127.0.0.1:\(port)/restapis/\(keyedApi)/prod/_user_request_/open"
        #expect(try await Self.call(open, key: nil).0 == 200)
        let changed = try await run("/usr/bin/env", ["sqlite3", "-cmd", ".timeout 5000", keyedDb, """
            UPDATE deployment SET snapshot = replace(snapshot, '"authorizationType":"NONE"', '"authorizationType":"CUSTOM"');
            UPDATE config_version SET version = version + 1;
            """])
        #expect(changed.status == 0, "\(changed.stderr)")
        try await Self.waitForStatus(open, key: nil, 500, timeout: 3)
        #expect(try await Self.call(open, key: nil) == (500, #"{"message":"Internal server error"}"#))
    }
}
