import Foundation
import Testing

/// `gatehouse import --fail-on-warnings` (AWS's `failonwarnings`): a document with any warning imports nothing;
/// without the flag it imports and prints each warning once, with where.
@Suite struct ImportWarningsTests {
    @Test func failOnWarningsImportsNothing() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let spec = dir.path("api.yaml")
        try """
            swagger: "2.0"
            info: {title: Warned, version: "1"}
            paths:
              /a:
                get:
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, cacheNamespace: shared}
              /b:
                get:
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, cacheNamespace: shared}
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        let db = dir.path("g.db")
        let refused = try await gatehouse("import", spec, "--store", db, "--fail-on-warnings")
        #expect(refused.status != 0 && refused.stderr.contains("--fail-on-warnings: nothing was imported"), "\(refused.stderr)")
        #expect(try await gatehouse("apis", "--store", db).stdout.split(separator: "\n").count == 1, "only the header line")
        let imported = try await gatehouse("import", spec, "--store", db)
        #expect(imported.status == 0)
        let warned = imported.stderr.split(separator: "\n").filter { $0.contains("cacheNamespace") }
        #expect(warned.count == 1 && warned[0].contains("line 7") && warned[0].contains("and 1 more place like it"), "\(imported.stderr)")
        #expect(try await gatehouse("apis", "--store", db).stdout.contains("Warned"))
    }
}
