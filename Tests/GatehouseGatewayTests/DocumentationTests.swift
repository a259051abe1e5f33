import Foundation
import GatehouseCore
import Testing

/// Issue 12, point 8: `x-amazon-apigateway-documentation` imported, kept through the store, inherited (a wildcard
/// part documents every entity it covers, the most specific winning) and exported; `gatehouse docs`.
@Suite struct DocumentationTests {
    static let api = """
        openapi: 3.0.1
        info: {title: Documented, version: "1"}
        x-amazon-apigateway-documentation:
          version: "1.0.2"
          documentationParts:
            - location: {type: API}
              properties: {description: "The pet API", info: {contact: {email: ops@example.test}}}
            - location: {type: METHOD, method: "*"}
              properties: {tags: [pets], summary: "any pet call"}
            - location: {type: METHOD, path: /pets, method: GET}
              properties: {summary: "List pets", deprecated: false, limit: 50}
            - location: {type: RESPONSE, method: "*", statusCode: "404"}
              properties: {description: "no such pet"}
        paths:
          /pets:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}}
            post:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}}
        """

    @Test func partsAreKeptInheritedAndExported() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api)
        let listed = try await gatehouse("docs", "list", "--store", db, "--api", apiId).stdout
        #expect(listed.contains("version: 1.0.2") && listed.contains("METHOD\t/pets\tGET"), "\(listed)")
        // GET /pets has its own part; POST /pets inherits the wildcard one; a 404 of any method, the response part.
        let own = try await gatehouse("docs", "show", "--store", db, "--api", apiId, "--type", "METHOD", "--path", "/pets", "--method", "GET").stdout
        #expect(own.contains(#""summary":"List pets""#) && own.contains(#""deprecated":false"#) && own.contains(#""limit":50"#), "\(own)")
        let inherited = try await gatehouse("docs", "show", "--store", db, "--api", apiId, "--type", "METHOD", "--path", "/pets", "--method", "POST").stdout
        #expect(inherited.contains("any pet call"), "\(inherited)")
        let response = try await gatehouse("docs", "show", "--store", db, "--api", apiId, "--type", "RESPONSE", "--path", "/pets", "--method", "POST",
                                           "--status-code", "404").stdout
        #expect(response.contains("no such pet"), "\(response)")
        let none = try await gatehouse("docs", "show", "--store", db, "--api", apiId, "--type", "REQUEST_BODY", "--path", "/pets", "--method", "POST")
        #expect(none.status != 0)
        // Exported from the deployment, and the export of the export is the same.
        let first = try await gatehouse("export", "--store", db, "--api", apiId, "--stage", "prod").stdout
        #expect(first.contains("x-amazon-apigateway-documentation") && first.contains("ops@example.test"), "\(first)")
        let spec = dir.path("exported.json")
        try first.write(toFile: spec, atomically: true, encoding: .utf8)
        let again = try await gatehouse("import", spec, "--store", db).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await gatehouse("deploy", "--store", db, "--api", again, "--stage", "prod").status == 0)
        #expect(try await gatehouse("export", "--store", db, "--api", again, "--stage", "prod").stdout == first)
    }

    @Test func theMostSpecificPartWins() {
        let parts = [
            DocumentationPart(location: .init(type: "METHOD"), properties: "any"),
            DocumentationPart(location: .init(type: "METHOD", path: "/a"), properties: "a"),
            DocumentationPart(location: .init(type: "METHOD", path: "/a", method: "GET"), properties: "a-get"),
        ]
        #expect(DocumentationPart.effective(for: .init(type: "METHOD", path: "/a", method: "get"), in: parts)?.properties == "a-get")
        #expect(DocumentationPart.effective(for: .init(type: "METHOD", path: "/a", method: "PUT"), in: parts)?.properties == "a")
        #expect(DocumentationPart.effective(for: .init(type: "METHOD", path: "/b", method: "PUT"), in: parts)?.properties == "any")
        #expect(DocumentationPart.effective(for: .init(type: "RESOURCE", path: "/b"), in: parts) == nil)
    }
}
