import Foundation
import GatehouseCore
import Testing

/// Issue 12, point 4: an API's gateway responses on the answers the gateway makes itself, through a real
/// worker and curl: a type's own status, headers (literal, from the request, the context, stage variables) and
/// body template; DEFAULT_4XX / DEFAULT_5XX inherited by the types not set; import, export and the CLI.
@Suite struct GatewayResponsesTests {
    static let api = """
        openapi: 3.0.1
        info: {title: Responses, version: "1"}
        components:
          securitySchemes:
            api_key: {type: apiKey, name: x-api-key, in: header}
        x-amazon-apigateway-gateway-responses:
          MISSING_AUTHENTICATION_TOKEN:
            statusCode: "404"
            responseParameters:
              gatewayresponse.header.X-Trace: method.request.header.X-Trace
              gatewayresponse.header.X-Stage: stageVariables.label
            responseTemplates:
              application/json: '{"error": $context.error.messageString, "type": "$context.error.responseType", "id": "$context.requestId"}'
          DEFAULT_4XX:
            responseParameters:
              gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
          DEFAULT_5XX:
            responseParameters:
              gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
            responseTemplates:
              application/json: '{"oops": $context.error.messageString, "stage": "${stageVariables.label}"}'
        paths:
          /keyed:
            get:
              security: [{api_key: []}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
          /dead:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/dead"}
        """

    @Test func theGatewaysOwnAnswersAreCustomizedAndInherit() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api, deploy: false)
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod", "--var", "backend=127.0.0.1:9", "--var", "label=blue").status == 0)
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        func call(_ path: String, _ extra: [String] = []) async throws -> (status: Int, headers: String, body: String) {
            let out = try await curl(["-D", "-", "-w", "\n%{http_code}"] + extra + [base + path]).stdout
            let (status, rest) = statusAndBody(out)
            let split = rest.components(separatedBy: "\r\n\r\n")
            return (status, split.first ?? "", split.dropFirst().joined(separator: "\r\n\r\n"))
        }
        // The type's own settings: status 404, headers from the request and a stage variable, a body template.
        let missing = try await call("/nowhere", ["-H", "X-Trace: t-42"])
        #expect(missing.status == 404, "\(missing)")
        #expect(missing.headers.contains("X-Trace: t-42") && missing.headers.contains("X-Stage: blue"), "\(missing.headers)")
        #expect(missing.headers.contains("Access-Control-Allow-Origin: *"), "DEFAULT_4XX's headers are inherited: \(missing.headers)")
        let object = try JSONSerialization.jsonObject(with: Data(missing.body.utf8)) as? [String: String]
        #expect(object?["error"] == "Missing Authentication Token" && object?["type"] == "MISSING_AUTHENTICATION_TOKEN", "\(missing.body)")
        #expect(missing.headers.lowercased().contains("x-amzn-requestid: \(object?["id"] ?? "?")".lowercased()), "\(missing.headers)")
        // A type not set inherits DEFAULT_4XX: the header, its own status and AWS's body.
        let keyless = try await call("/keyed")
        #expect(keyless.status == 403 && keyless.headers.contains("Access-Control-Allow-Origin: *") && keyless.body == #"{"message":"Forbidden"}"#, "\(keyless)")
        // DEFAULT_5XX: a dead backend's 502 with the template.
        let dead = try await call("/dead")
        #expect(dead.status == 502 && dead.headers.contains("Access-Control-Allow-Origin: *"), "\(dead)")
        #expect(dead.body == #"{"oops": "Internal server error", "stage": "blue"}"#, "\(dead.body)")
        // Too large a body (413, answered by the transport) gets DEFAULT_4XX too.
        let large = try await call("/keyed", ["-H", "Content-Length: 20000000", "-X", "POST", "--data-binary", "x"])
        #expect(large.status == 413 && large.headers.contains("Access-Control-Allow-Origin: *"), "\(large)")

        // Exported as imported; the CLI changes the draft, served after a deploy.
        let exported = try await gatehouse("export", "--store", db, "--api", apiId, "--stage", "prod", "--yaml").stdout
        #expect(exported.contains("x-amazon-apigateway-gateway-responses") && exported.contains("gatewayresponse.header.X-Trace"), "\(exported)")
        #expect(try await gatehouse("gateway-response", "set", "--store", db, "--api", apiId, "--type", "invalid_api_key", "--status", "401",
                                    "--header", "WWW-Authenticate='ApiKey'", "--template", #"application/json={"need": "a key"}"#).status == 0)
        let bad = try await gatehouse("gateway-response", "set", "--store", db, "--api", apiId, "--type", "NOT_A_TYPE")
        #expect(bad.status != 0 && bad.stderr.contains("is not a gateway response type"), "\(bad.stderr)")
        #expect(try await gatehouse("gateway-response", "list", "--store", db, "--api", apiId).stdout.contains("INVALID_API_KEY\t401"))
        #expect(try await call("/keyed").status == 403, "not served before a deploy")
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod").status == 0)
        try await waitUntilAsync("the new gateway response is served") { try await call("/keyed").status == 401 }
        let unauthorized = try await call("/keyed")
        #expect(unauthorized.headers.contains("WWW-Authenticate: ApiKey") && unauthorized.body == #"{"need": "a key"}"#, "\(unauthorized)")
        #expect(try await gatehouse("gateway-response", "delete", "--store", db, "--api", apiId, "--type", "INVALID_API_KEY").status == 0)
    }

    @Test func inheritanceFollowsAWSs() {
        let settings = [
            "DEFAULT_4XX": GatewayResponseSetting(responseType: "DEFAULT_4XX", statusCode: "400", responseParameters: ["gatewayresponse.header.A": "'4'"],
                                                  responseTemplates: ["application/json": "four"]),
            "THROTTLED": GatewayResponseSetting(responseType: "THROTTLED", responseParameters: ["gatewayresponse.header.B": "'t'"]),
        ]
        let throttled = GatewayResponseSetting.effective(for: "THROTTLED", defaultStatus: 429, in: settings)
        #expect(throttled?.statusCode == "400" && throttled?.responseParameters.count == 2 && throttled?.responseTemplates["application/json"] == "four")
        #expect(GatewayResponseSetting.effective(for: "INTEGRATION_FAILURE", defaultStatus: 502, in: settings) == nil)
        #expect(GatewayResponseSetting(responseType: "THROTTLED", statusCode: "999").problem != nil)
        #expect(GatewayResponseSetting(responseType: "THROTTLED", responseParameters: ["gatewayresponse.header.X": "raw"]).problem != nil)
    }
}
