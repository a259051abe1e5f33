import Foundation
import GatehouseCore
import GatehouseDemo
import GatehouseStore
import Testing

/// The CLI never surprises: one spelling of a method, not-found errors that name what is missing (the API
/// before the stage), warnings where a deploy leaves calls failing, and readable defaults in `--help`.
@Suite(.serialized) struct CLIMessagesTests {
    @Test func aMethodIsSpelledTheSameEverywhere() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, deploy: false)
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod", "--var", "backend=127.0.0.1:9").status == 0)
        let set = try await gatehouse("throttle", "set", "--store", db, "--api", apiId, "--stage", "prod", "--method", "GET /pets", "--rate", "3", "--burst", "2")
        #expect(set.stdout.contains("\(apiId)/prod GET /pets: "), "\(set.stdout)")
        let missing = try await gatehouse("throttle", "set", "--store", db, "--api", apiId, "--stage", "prod", "--method", "GET /nope", "--rate", "1", "--burst", "1")
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("method 'GET /nope' in stage prod of API \(apiId) does not exist"), "\(missing.stderr)")
        #expect(missing.stderr.contains("GET /pets, POST /pets"), "the served methods, spelled the same: \(missing.stderr)")
        #expect(!missing.stderr.contains("/pets/GET"))
        let list = try await gatehouse("throttle", "list", "--store", db)
        #expect(list.stdout.contains("GET /pets"))
        let audit = try Store(path: db, access: .readOnly).auditLog(limit: 1)
        #expect(audit.first?.target == "restapis/\(apiId)/stages/prod GET /pets", "\(audit.first?.target ?? "")")
    }

    @Test func notFoundNamesTheAPIBeforeTheStageAndExitsNonZero() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, deploy: false)
        let commands: [[String]] = [
            ["stages", "--api", "nope"], ["deployments", "--api", "nope"], ["logging", "show", "--api", "nope", "--stage", "x"],
            ["logging", "tail", "--api", "nope", "--stage", "x"], ["export", "--api", "nope", "--stage", "x"],
            ["rollback", "--api", "nope", "--stage", "x", "--to", "y"], ["throttle", "set", "--api", "nope", "--stage", "x", "--rate", "1", "--burst", "1"],
            ["logging", "set", "--api", "nope", "--stage", "x", "--level", "INFO"], ["deploy", "--api", "nope", "--stage", "x"],
            ["alarm", "put", "--name", "a", "--metric", "Count", "--api", "nope", "--statistic", "Sum", "--period", "60",
             "--comparison", "GreaterThanThreshold", "--threshold", "1"],
        ]
        for command in commands {
            let result = try await run(Binary.gatehouse, command + ["--store", db])
            #expect(result.status != 0, "\(command) exits non-zero")
            #expect(result.stderr.contains("API nope does not exist"), "\(command): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(command) prints nothing else: \(result.stdout)")
        }
        let stage = try await gatehouse("logging", "tail", "--store", db, "--api", apiId, "--stage", "nope")
        #expect(stage.status != 0 && stage.stderr.contains("stage nope of API \(apiId) does not exist"), "\(stage.stderr)")
        let alarm = try await gatehouse("alarm", "put", "--store", db, "--name", "a", "--metric", "Count", "--api", apiId, "--stage", "nope",
                                        "--statistic", "Sum", "--period", "60", "--comparison", "GreaterThanThreshold", "--threshold", "1")
        #expect(alarm.status != 0 && alarm.stderr.contains("stage nope of API \(apiId) does not exist"), "\(alarm.stderr)")
    }

    @Test func deployWarnsAboutUnsetVariablesAndRollbackSaysTheyWereKept() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, deploy: false)
        let first = try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod")
        #expect(first.status == 0)
        #expect(first.stderr.contains("read ${stageVariables.backend}, which stage prod does not set"), "\(first.stderr)")
        #expect(first.stderr.contains("GET /pets"))
        let second = try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod", "--var", "backend=127.0.0.1:9")
        #expect(second.status == 0 && !second.stderr.contains("warning"), "\(second.stderr)")
        let firstId = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let rollback = try await gatehouse("rollback", "--store", db, "--api", apiId, "--stage", "prod", "--to", firstId)
        #expect(rollback.status == 0)
        #expect(rollback.stdout.contains("stage variables kept as they are"), "\(rollback.stdout)")
        #expect(rollback.stdout.contains("backend=127.0.0.1:9"))
    }

    @Test func badNumbersAndDoubleAcknowledgementsGetTheRealMessage() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, deploy: false)
        let negative = try await gatehouse("throttle", "set", "--store", db, "--account", "--rate", "-1", "--burst", "1")
        #expect(negative.status != 0 && negative.stderr.contains("--rate must be zero or more, got -1"), "\(negative.stderr)")
        let infinite = try await gatehouse("throttle", "set", "--store", db, "--account", "--rate", "inf", "--burst", "1")
        #expect(infinite.status != 0 && infinite.stderr.contains("--rate must be a finite number"), "\(infinite.stderr)")
        let burst = try await gatehouse("throttle", "set", "--store", db, "--account", "--rate", "1", "--burst", "-5")
        #expect(burst.status != 0 && burst.stderr.contains("--burst must be zero or more, got -5"), "\(burst.stderr)")

        let put = try await gatehouse("alarm", "put", "--store", db, "--name", "errors", "--metric", "5XXError", "--api", apiId,
                                      "--statistic", "Sum", "--period", "60", "--comparison", "GreaterThanThreshold", "--threshold", "1")
        #expect(put.status == 0, "\(put.stderr)")
        try Store(path: db, access: .readWrite).applyAlarmEvaluation(name: "errors", from: .insufficientData,
                                                                     outcome: .init(state: .alarm, reason: "5 errors"))
        let ack = try await gatehouse("alarm", "ack", "errors", "--store", db, "--operator", "ada")
        #expect(ack.status == 0, "\(ack.stderr)")
        let again = try await gatehouse("alarm", "ack", "errors", "--store", db, "--operator", "bob")
        #expect(again.status != 0 && again.stderr.contains("already acknowledged by ada"), "\(again.stderr)")
    }

    @Test func theBundledThemesTravelWithTheBinary() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let binary = dir.path("gatehouse")
        try await copyGatehouse(to: binary)
        #expect(try await run(binary, ["init", "--store", dir.path("g.db")]).status == 0)
        for name in ["light", "mono", "default"] {
            let result = try await run(binary, ["console", "--theme", name, "--bench", "1", "--store", dir.path("g.db")])
            #expect(result.status == 0, "--theme \(name) from a copy of the binary with no Themes folder: \(result.stderr)")
        }
        let unknown = try await run(binary, ["console", "--theme", "nope", "--bench", "1", "--store", dir.path("g.db")])
        #expect(unknown.status != 0 && unknown.stderr.contains("the built-in ones are default, light, mono"), "\(unknown.stderr)")
    }

    @Test func aRefreshBelowTheFloorIsRefusedAndAMissingUserIsTheLoginName() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir)
        let fast = try await gatehouse("console", "--store", db, "--refresh", "0", "--bench", "1")
        #expect(fast.status != 0 && fast.stderr.contains("--refresh must be at least 0.1 seconds"), "\(fast.stderr)")
        // No $USER (a service, a container): the audit names the login name from the passwd entry.
        let login = try #require(getpwuid(getuid())?.pointee.pw_name.map { String(cString: $0) })
        let set = try await run("/usr/bin/env", ["-u", "USER", Binary.gatehouse, "throttle", "set", "--store", db, "--api", apiId,
                                                 "--stage", "prod", "--rate", "5", "--burst", "5"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try Store(path: db, access: .readOnly).auditLog(limit: 1).first?.operatorName == login)
    }

    @Test func helpShowsReadableDefaults() async throws {
        let serve = try await gatehouse("serve", "--help")
        #expect(serve.stdout.contains("default: 127.0.0.1:8080"), "\(serve.stdout)")
        let console = try await gatehouse("console", "--help")
        #expect(console.stdout.contains("default: 5m"), "\(console.stdout)")
        #expect(!console.stdout.contains("default: 300"))
    }
}
