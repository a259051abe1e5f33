import Foundation
import GatehouseStore
import Testing

/// Issue 13, point 5: the CLI's create / update / delete verbs for APIs, resources, methods and stages, and stage
/// variables changed without a new deployment, through a real worker and backend.
@Suite struct EntityCommandsTests {
    @Test func apisResourcesMethodsAndStagesFromTheCLI() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let db = dir.path("g.db")
        #expect(try await gatehouse("init", "--store", db).status == 0)
        let created = try await gatehouse("api", "create", "--store", db, "--name", "scratch", "--description", "made by hand")
        #expect(created.status == 0, "\(created)")
        let api = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let resource = try await gatehouse("resource", "create", "--store", db, "--api", api, "--path", "/pets/{petId}")
        #expect(resource.status == 0, "\(resource)")
        let mock = try await gatehouse("method", "create", "--store", db, "--api", api, "--method", "GET /hello", "--type", "MOCK",
                                       "--status", "201", "--body", #"{"hello": "$input.params('who')"}"#)
        #expect(mock.status == 0, "\(mock)")
        let proxy = try await gatehouse("method", "create", "--store", db, "--api", api, "--method", "GET /pets/{petId}", "--type", "HTTP_PROXY",
                                        "--uri", "http://${stageVariables.backend}/pets/{petId}")
        #expect(proxy.status == 0, "\(proxy)")
        let again = try await gatehouse("method", "create", "--store", db, "--api", api, "--method", "GET /hello", "--type", "MOCK")
        #expect(again.status != 0 && again.stderr.contains("exists already"), "\(again)")
        let listed = try await gatehouse("resource", "list", "--store", db, "--api", api)
        #expect(listed.stdout.contains("/pets/{petId}") && listed.stdout.contains("/hello"), "\(listed.stdout)")
        #expect(try await gatehouse("deploy", "--store", db, "--api", api, "--stage", "prod", "--var", "backend=127.0.0.1:9").status == 0)

        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(api)/prod/_user_request_"
        func call(_ path: String) async throws -> (Int, String) {
            statusAndBody(try await curl(["-s", "-w", "\n%{http_code}", base + path]).stdout)
        }
        let hello = try await call("/hello?who=ops")
        #expect(hello.0 == 201 && hello.1 == #"{"hello": "ops"}"#, "\(hello)")
        #expect(try await call("/pets/7").0 == 502, "the stage variable names a dead backend")
        // A stage variable changed without a deployment reaches the worker within a second.
        let set = try await gatehouse("stage", "set", "--store", db, "--api", api, "--stage", "prod", "--var", "backend=127.0.0.1:\(backend.port)",
                                      "--description", "live")
        #expect(set.status == 0 && set.stdout.contains("backend=127.0.0.1:\(backend.port)"), "\(set)")
        try await waitUntilAsync("the new backend") { try await call("/pets/7").0 == 200 }

        #expect(try await gatehouse("api", "update", "--store", db, "--api", api, "--name", "renamed").status == 0)
        #expect(try await gatehouse("apis", "--store", db).stdout.contains("renamed"))
        #expect(try await gatehouse("method", "delete", "--store", db, "--api", api, "--method", "GET /hello").status == 0)
        let deleted = try await gatehouse("resource", "delete", "--store", db, "--api", api, "--path", "/pets")
        #expect(deleted.status == 0 && deleted.stdout.contains("/pets/{petId}"), "\(deleted)")
        #expect(try await call("/hello").0 == 201, "the stage still serves its deployment until the next deploy")

        // A second stage on the first deployment, then stages and the API deleted: callers get 403 within a second.
        let deployments = try await gatehouse("deployments", "--store", db, "--api", api).stdout
        let deploymentId = try #require(deployments.split(whereSeparator: \.isWhitespace).first { $0.count == 10 }.map(String.init), "\(deployments)")
        #expect(try await gatehouse("stage", "create", "--store", db, "--api", api, "--stage", "beta", "--deployment", deploymentId).status == 0)
        try await waitUntilAsync("the beta stage") { statusAndBody(try await curl(["-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)/restapis/\(api)/beta/_user_request_/hello"]).stdout).0 == 201 }
        #expect(try await gatehouse("stage", "delete", "--store", db, "--api", api, "--stage", "beta").status == 0)
        #expect(try await gatehouse("api", "delete", "--store", db, "--api", api).status == 0)
        try await waitUntilAsync("the API gone") { try await call("/hello").0 == 403 }
        let audit = try Store(path: db).auditLog(limit: 50).map(\.action)
        #expect(Set(["CreateRestApi", "CreateResource", "PutMethod", "UpdateStage", "DeleteMethod", "CreateStage", "DeleteStage", "DeleteRestApi"])
                    .isSubset(of: Set(audit)), "\(audit)")
    }
}
