import Foundation
import GatehouseCore
import Testing

/// Issue 12, point 5: `gatehouse cors enable` does what AWS's "Enable CORS" does, and preflights are answered
/// without a backend call (the sample backend counts its calls); an AWS-exported CORS mock keeps working.
@Suite struct CorsTests {
    static let api = """
        openapi: 3.0.1
        info: {title: Browser API, version: "1"}
        components:
          securitySchemes:
            api_key: {type: apiKey, name: x-api-key, in: header}
        paths:
          /pets:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http
                httpMethod: GET
                uri: "http://${stageVariables.backend}/pets"
                responses: {default: {statusCode: "200"}}
            post:
              security: [{api_key: []}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http, httpMethod: POST, uri: "http://${stageVariables.backend}/pets", responses: {default: {statusCode: "200"}}}
          /legacy:
            options:
              responses:
                "200":
                  description: 200 response
                  headers:
                    Access-Control-Allow-Origin: {schema: {type: string}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                passthroughBehavior: when_no_match
                responses:
                  default:
                    statusCode: "200"
                    responseParameters:
                      method.response.header.Access-Control-Allow-Methods: "'GET,OPTIONS'"
                      method.response.header.Access-Control-Allow-Headers: "'Content-Type'"
                      method.response.header.Access-Control-Allow-Origin: "'https://old.example'"
        """

    @Test func enableCorsAnswersPreflightsWithoutTheBackend() async throws {
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api, backend: "127.0.0.1:\(backend.port)")
        let enabled = try await gatehouse("cors", "enable", "--store", db, "--api", apiId, "--resource", "/pets", "--origin", "https://app.example",
                                          "--headers", "Content-Type,X-Api-Key")
        #expect(enabled.status == 0 && enabled.stdout.contains("on /pets"), "\(enabled)")
        let twoOrigins = try await gatehouse("cors", "enable", "--store", db, "--api", apiId, "--origin", "https://a.example,https://b.example")
        #expect(twoOrigins.status != 0 && twoOrigins.stderr.contains("more than one origin"), "\(twoOrigins.stderr)")
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod").status == 0)
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        func backendCalls() async throws -> Int {
            let text = try await curl(["http://127.0.0.1:\(backend.port)/_calls"]).stdout
            return Int(text.filter(\.isNumber)) ?? -1
        }
        let before = try await backendCalls()
        // A browser's preflight.
        let preflight = try await curl(["-i", "-X", "OPTIONS", "-H", "Origin: https://app.example", "-H", "Access-Control-Request-Method: POST",
                                        "-H", "Access-Control-Request-Headers: content-type,x-api-key", base + "/pets"]).stdout
        #expect(preflight.hasPrefix("HTTP/1.1 200"), "\(preflight)")
        #expect(preflight.contains("Access-Control-Allow-Origin: https://app.example"), "\(preflight)")
        #expect(preflight.contains("Access-Control-Allow-Methods: GET,OPTIONS,POST") && preflight.contains("Access-Control-Allow-Headers: Content-Type,X-Api-Key"),
                "\(preflight)")
        #expect(try await backendCalls() == before, "the preflight never reached the backend")
        // The actual call carries the origin header; an error the gateway makes does too (DEFAULT_4XX).
        let get = try await curl(["-i", "-H", "Origin: https://app.example", base + "/pets"]).stdout
        #expect(get.hasPrefix("HTTP/1.1 200") && get.contains("Access-Control-Allow-Origin: https://app.example"), "\(get)")
        let refused = try await curl(["-i", "-X", "POST", "-H", "Origin: https://app.example", base + "/pets"]).stdout
        #expect(refused.hasPrefix("HTTP/1.1 403") && refused.contains("Access-Control-Allow-Origin: https://app.example"), "\(refused)")
        // The imported CORS mock.
        let legacy = try await curl(["-i", "-X", "OPTIONS", "-H", "Origin: https://old.example", base + "/legacy"]).stdout
        #expect(legacy.hasPrefix("HTTP/1.1 200") && legacy.contains("Access-Control-Allow-Origin: https://old.example")
                && legacy.contains("Access-Control-Allow-Methods: GET,OPTIONS"), "\(legacy)")
        // The export carries it all, so a re-import serves the same.
        let exported = try await gatehouse("export", "--store", db, "--api", apiId, "--stage", "prod", "--yaml").stdout
        #expect(exported.contains("options:") && exported.contains("Access-Control-Allow-Methods") && exported.contains("DEFAULT_4XX"), "\(exported)")
    }
}
