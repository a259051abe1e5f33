import Foundation
import GatehouseCore
import GatehouseStore
import Testing

/// Alarms on a real worker: real 5xx and real latency drive them into ALARM, a real receiver gets the
/// webhook, the CLI acknowledges, and recovery brings OK.
@Suite struct AlarmTests {
    /// Sends rounds of 5 failing and 2 slow calls until cancelled.
    func driveIncident(flakyURL: String, slowURL: String) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                for _ in 0..<5 { _ = try? await curl([flakyURL]) }
                for _ in 0..<2 { _ = try? await curl([slowURL]) }
            }
        }
    }

    /// Opens the console under tmux on the store and acknowledges slow-p99 with the note "on it".
    func acknowledgeFromConsole(storePath: String) async throws {
        let tmux = ConsoleTmuxTests.Tmux()
        _ = try await tmux.run(["new-session", "-d", "-s", "t", "-x", "120", "-y", "40", "-e", "LANG=C.UTF-8",
                                "\(Binary.gatehouse) console --store \(storePath) --operator console-op --no-bell; sleep 60"])
        do {
            try await tmux.waitFor("the alarm header") { $0.contains("ALARM unacknowledged") }
            try await tmux.send("5")
            try await tmux.waitFor("the alarms view") { $0.contains("slow-p99") && $0.contains("ALARM ●") }
            try await tmux.send("a", "o", "n", " ", "i", "t", "Enter")
            try await tmux.waitFor("the confirmation") { $0.contains("Acknowledge slow-p99 as console-op: on it?") }
            try await tmux.send("y")
            try await tmux.waitFor("the acknowledgement") { $0.contains("acknowledged by console-op") }
        } catch {
            await tmux.kill()
            throw error
        }
        await tmux.kill()
    }

    @Test func errorsAndLatencyFireNotifyAcknowledgeAndRecover() async throws {
        let receiver = try await WebhookReceiver(failFirst: 1)
        defer { Task { await receiver.stop() } }
        try await withGateway(configure: { $0.alarmInterval = 0.5 }) { gw, _ in
            let hookFile = gw.dir.path("hook.json")
            let actor = Actor(name: "t", source: "t")
            try gw.store.putAlarm(AlarmRule(name: "flaky-5xx", metric: .error5xx, dimensions: AlarmDimensions(apiId: gw.apiId, stage: "prod"),
                                            statistic: .sum, period: 10, evaluationPeriods: 1, comparison: .greaterThanOrEqualToThreshold,
                                            threshold: 3, treatMissingData: .notBreaching,
                                            actions: [.webhook(url: receiver.url), .command("cat > '\(hookFile)'")]), actor: actor)
            try gw.store.putAlarm(AlarmRule(name: "slow-p99", metric: .latency,
                                            dimensions: AlarmDimensions(apiId: gw.apiId, stage: "prod", resourcePath: "/slow", httpMethod: "GET"),
                                            statistic: .p99, period: 10, evaluationPeriods: 1, comparison: .greaterThanThreshold,
                                            threshold: 500, treatMissingData: .ignore), actor: actor)
            // Failures and slow calls keep coming (as in an incident) until both alarms fire, so a loaded machine
            // that spreads one burst over several periods cannot starve them.
            let incident = driveIncident(flakyURL: gw.url("/flaky"), slowURL: gw.url("/slow?ms=700"))
            try await waitUntil("both alarms in ALARM", timeout: 30) {
                try gw.store.alarms().allSatisfy { $0.state == .alarm }
            }
            incident.cancel()
            await incident.value
            let flaky = try #require(try gw.store.alarm(name: "flaky-5xx"))
            #expect(flaky.reason.contains("greater than or equal to the threshold (3)"))

            // The webhook failed once (the receiver answered 500), was retried, and arrived.
            // (With notBreaching, an empty first period already took it from INSUFFICIENT_DATA to OK.)
            try await waitUntil("the ALARM webhook", timeout: 30) { receiver.received.contains { $0.contains("\"newState\":\"ALARM\"") } }
            let alarmIndex = try #require(receiver.received.firstIndex { $0.contains("\"newState\":\"ALARM\"") })
            let document = try #require(try JSONSerialization.jsonObject(with: Data(receiver.received[alarmIndex].utf8)) as? [String: Any])
            #expect(document["alarmName"] as? String == "flaky-5xx")
            #expect(document["oldState"] as? String == "OK")
            #expect(document["newState"] as? String == "ALARM")
            #expect((document["reason"] as? String)?.isEmpty == false)
            #expect(document["time"] as? String != nil)
            try await waitUntil("the delivery records", timeout: 30) {
                let webhooks = try gw.store.alarmDeliveries(name: "flaky-5xx").filter { if case .webhook = $0.action { return true } else { return false } }
                return webhooks.allSatisfy { $0.status == "delivered" } && webhooks.contains { $0.attempts == 2 }
            }
            try await waitUntil("the shell hook", timeout: 30) { FileManager.default.fileExists(atPath: hookFile) && ((try? String(contentsOfFile: hookFile, encoding: .utf8)) ?? "").contains("flaky-5xx") }

            let ack = try await gatehouse("alarm", "ack", "flaky-5xx", "--store", gw.store.path, "--note", "looking into it", "--operator", "oncall")
            #expect(ack.status == 0, "\(ack.stderr)")
            #expect(try gw.store.alarm(name: "flaky-5xx")?.acknowledgedBy == "oncall")
            let list = try await gatehouse("alarm", "list", "--store", gw.store.path)
            #expect(list.stdout.contains("flaky-5xx") && list.stdout.contains("ALARM") && list.stdout.contains("oncall"))

            // The latency alarm ignores missing data, so it stays in ALARM: acknowledge it from the console under tmux.
            try await acknowledgeFromConsole(storePath: gw.store.path)
            #expect(try gw.store.alarm(name: "slow-p99")?.acknowledgedBy == "console-op")
            #expect(try gw.store.alarm(name: "slow-p99")?.acknowledgeNote == "on it")

            // No more errors: the next period is not breaching, so the 5xx alarm returns to OK and its ack clears.
            try await waitUntil("recovery to OK", timeout: 30) { try gw.store.alarm(name: "flaky-5xx")?.state == .ok }
            #expect(try gw.store.alarm(name: "flaky-5xx")?.acknowledgedBy == nil)
            try await waitUntil("the OK webhook after the ALARM one", timeout: 30) {
                receiver.received.dropFirst(alarmIndex + 1).contains { $0.contains("\"oldState\":\"ALARM\",") || $0.contains("\"newState\":\"OK\"") }
            }
            let history = try await gatehouse("alarm", "history", "flaky-5xx", "--store", gw.store.path)
            #expect(history.stdout.contains("ALARM -> OK"))
            #expect(history.stdout.contains("OK -> ALARM"))
            #expect(history.stdout.contains("Acknowledged"))
        }
    }

    @Test func cliRejectsBadValuesNamingTheFlag() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = dir.path("g.db")
        let spec = dir.path("api.yaml")
        try "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses: {'200': {description: ok}}\n      x-amazon-apigateway-integration: {type: mock}\n"
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let api = try await gatehouse("import", spec, "--store", db).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let badMetric = try await gatehouse("alarm", "put", "--store", db, "--name", "a", "--metric", "Errors", "--api", api,
                                            "--statistic", "Sum", "--period", "60", "--comparison", ">", "--threshold", "1")
        #expect(badMetric.status != 0)
        #expect(badMetric.stderr.contains("--metric"))
        let badPeriod = try await gatehouse("alarm", "put", "--store", db, "--name", "a", "--metric", "Count", "--api", api,
                                            "--statistic", "Sum", "--period", "30", "--comparison", ">", "--threshold", "1")
        #expect(badPeriod.status != 0)
        #expect(badPeriod.stderr.contains("--period must be 10 or a multiple of 60"))
        let good = try await gatehouse("alarm", "put", "--store", db, "--name", "a", "--metric", "Count", "--api", api,
                                       "--statistic", "Sum", "--period", "60", "--evaluation-periods", "3", "--datapoints-to-alarm", "2",
                                       "--comparison", ">", "--threshold", "100", "--treat-missing-data", "breaching")
        #expect(good.status == 0, "\(good.stderr)")
        let show = try await gatehouse("alarm", "show", "a", "--store", db)
        #expect(show.stdout.contains("Count Sum > 100 for 2 of 3 × 60s"))
        #expect(show.stdout.contains("INSUFFICIENT_DATA"))
        let ackEarly = try await gatehouse("alarm", "ack", "a", "--store", db)
        #expect(ackEarly.status != 0)
        #expect(ackEarly.stderr.contains("not ALARM"))
        #expect(try await gatehouse("alarm", "delete", "a", "--store", db).status == 0)
        #expect(try await gatehouse("alarm", "show", "a", "--store", db).stderr.contains("does not exist"))
    }
}
