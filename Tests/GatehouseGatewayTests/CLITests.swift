import Foundation
import GatehouseCore
import GatehouseDemo
import GatehouseStore
import Testing

/// The CLI as a user runs it: a real `gatehouse` process per command over a real store file.
@Suite struct CLITests {
    @Test func importDeployThrottleExportRollback() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = dir.path("g.db")
        let spec = dir.path("api.yaml")
        try SampleAPI.openAPI.write(toFile: spec, atomically: true, encoding: .utf8)

        let imported = try await gatehouse("import", spec, "--store", db)
        #expect(imported.status == 0, "\(imported.stderr)")
        let apiId = imported.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(apiId.count == 10)

        // A broken file: the line and the reason, exit 1, nothing written.
        let broken = dir.path("broken.yaml")
        let brokenText = SampleAPI.openAPI.replacingOccurrences(of: "httpMethod: POST", with: "httpMethod: TELEPORT")
        try brokenText.write(toFile: broken, atomically: true, encoding: .utf8)
        let badLine = try #require(brokenText.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("TELEPORT") }) + 1
        let failed = try await gatehouse("import", broken, "--store", db)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("line \(badLine), paths./pets.post.x-amazon-apigateway-integration.httpMethod"), "\(failed.stderr)")
        #expect(failed.stderr.contains("'TELEPORT' is not an HTTP method"))
        #expect(failed.stderr.contains("nothing was written"))
        let apis = try await gatehouse("apis", "--store", db)
        #expect(apis.stdout.split(separator: "\n").count == 2, "only the header and the first API: \(apis.stdout)")

        let v1 = try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod", "--description", "first", "--var", "backend=127.0.0.1:9")
        #expect(v1.status == 0, "\(v1.stderr)")
        let v2 = try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod", "--description", "second")
        let firstId = v1.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let secondId = v2.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let history = try await gatehouse("deployments", "--store", db, "--api", apiId)
        let rows = history.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count == 2)
        #expect(rows.first?.hasPrefix(secondId) == true)
        #expect(rows.first?.contains("prod") == true)

        let rollback = try await gatehouse("rollback", "--store", db, "--api", apiId, "--stage", "prod", "--to", firstId)
        #expect(rollback.status == 0, "\(rollback.stderr)")
        let store = try Store(path: db, create: false)
        #expect(try store.stage(apiId: apiId, stageName: "prod")?.deploymentId == firstId)
        #expect(try store.stage(apiId: apiId, stageName: "prod")?.variables["backend"] == "127.0.0.1:9")

        let set = try await gatehouse("throttle", "set", "--store", db, "--api", apiId, "--stage", "prod", "--method", "GET /pets", "--rate", "7", "--burst", "3")
        #expect(set.status == 0, "\(set.stderr)")
        let stageDefault = try await gatehouse("throttle", "set", "--store", db, "--api", apiId, "--stage", "prod", "--rate", "100", "--burst", "50")
        #expect(stageDefault.status == 0)
        let badMethod = try await gatehouse("throttle", "set", "--store", db, "--api", apiId, "--stage", "prod", "--method", "GET /nope", "--rate", "1", "--burst", "1")
        #expect(badMethod.status != 0)
        #expect(badMethod.stderr.contains("GET /nope") || badMethod.stderr.contains("/nope/GET"))
        let badRate = try await gatehouse("throttle", "set", "--store", db, "--api", apiId, "--stage", "prod", "--rate", "-1", "--burst", "1")
        #expect(badRate.status != 0)
        #expect(badRate.stderr.contains("--rate"))
        let list = try await gatehouse("throttle", "list", "--store", db)
        #expect(list.stdout.contains("stage-method"))
        #expect(list.stdout.contains("GET /pets"))
        #expect(list.stdout.contains("account"))
        #expect(list.stdout.contains("10000"))

        // Export → import → export gives the same document.
        let exported = try await gatehouse("export", "--store", db, "--api", apiId, "--stage", "prod", "--yaml")
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout.contains("x-amazon-apigateway-integration"))
        let exportFile = dir.path("exported.yaml")
        try exported.stdout.write(toFile: exportFile, atomically: true, encoding: .utf8)
        let reimported = try await gatehouse("import", exportFile, "--store", db)
        let secondApi = reimported.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await gatehouse("deploy", "--store", db, "--api", secondApi, "--stage", "prod")
        let exportedAgain = try await gatehouse("export", "--store", db, "--api", secondApi, "--stage", "prod", "--yaml")
        #expect(exportedAgain.stdout == exported.stdout)
        let swagger = try await gatehouse("export", "--store", db, "--api", apiId, "--stage", "prod", "--format", "swagger")
        #expect(swagger.stdout.contains("\"swagger\": \"2.0\""))

        let audit = try store.auditLog(limit: 50)
        #expect(audit.contains { $0.action == "UpdateStage(throttle)" && $0.source == "cli" })
        let missing = try await gatehouse("apis", "--store", dir.path("nothing.db"))
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no store at"))
    }
}

@Suite struct ExampleFileTests {
    @Test func examplesPetstoreIsTheDemoAPI() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("examples/petstore.yaml"), encoding: .utf8)
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == SampleAPI.openAPI.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
