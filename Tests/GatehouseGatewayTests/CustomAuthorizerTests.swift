import Foundation
import GatehouseCore
import Testing

/// TOKEN and REQUEST authorizers through a real worker, calling a real HTTP authorizer process (Python) that
/// answers AWS's Lambda authorizer output and counts its calls: allow, deny, 401, failures, the policy checked
/// against each call's method ARN, the answers kept for the TTL and then asked again, the context in mappings.
@Suite struct CustomAuthorizerTests {
    static let authorizerServer = #"""
        import http.server, json, sys
        state = {"calls": 0, "last": None}
        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self, status, body):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def do_GET(self):
                self.answer(200, state)
            def do_POST(self):
                event = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                state["calls"] += 1
                state["last"] = event
                who = event.get("authorizationToken") or event.get("headers", {}).get("X-Team", "")
                if who == "unauthorized": return self.answer(401, {"message": "Unauthorized"})
                if who == "fail": return self.answer(500, {"message": "boom"})
                if who == "broken": return self.answer(200, b"not json")
                if who.startswith("key:"):
                    return self.answer(200, {"principalId": "partner", "usageIdentifierKey": who[4:], "policyDocument": {"Version": "2012-10-17",
                        "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}})
                arn = event["methodArn"]
                pets = arn.split("/")[0] + "/" + arn.split("/")[1] + "/GET/pets/*"
                effect = "Deny" if who == "deny" else "Allow"
                self.answer(200, {"principalId": "user-" + who,
                                  "policyDocument": {"Version": "2012-10-17", "Statement": [
                                      {"Action": "execute-api:Invoke", "Effect": effect, "Resource": [pets, arn.split("/")[0] + "/*/GET/req"]}]},
                                  "context": {"team": "blue", "level": 3, "admin": True}})
            def log_message(self, *args): pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print("listening", server.server_address[1], flush=True)
        server.serve_forever()
        """#

    static func api(authorizer: String) -> String {
        """
        openapi: 3.0.1
        info: {title: Custom, version: "1"}
        components:
          securitySchemes:
            tok:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authtype: custom
              x-amazon-apigateway-authorizer:
                type: token
                authorizerUri: "\(authorizer)/authorize"
                identityValidationExpression: "[a-z]+"
            req:
              type: apiKey
              name: X-Team
              in: header
              x-amazon-apigateway-authtype: custom
              x-amazon-apigateway-authorizer:
                type: request
                authorizerUri: "\(authorizer)/authorize"
                identitySource: "method.request.header.X-Team, method.request.querystring.tenant"
                authorizerResultTtlInSeconds: 0
        paths:
          /pets/{petId}:
            get:
              security: [{tok: []}]
              parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/pets/{petId}",
                                                requestParameters: {integration.request.path.petId: method.request.path.petId}}
          /orders:
            get:
              security: [{tok: []}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/orders"}
          /req:
            get:
              security: [{req: []}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http
                httpMethod: GET
                uri: "http://${stageVariables.backend}/req"
                requestParameters: {integration.request.header.X-Team-Level: context.authorizer.level, integration.request.header.X-Principal: context.authorizer.principalId}
                responses: {default: {statusCode: "200"}}
          /short:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/short"}
        """
    }

    @Test func tokenAndRequestAuthorizersDecideAndTheirAnswersAreKeptForTheTTL() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (server, authorizer) = try await pythonServer(Self.authorizerServer)
        defer { server.signal(SIGKILL) }
        func calls() async throws -> (Int, [String: Any]) {
            let state = try await run("/usr/bin/env", ["curl", "-s", authorizer + "/_calls"]).stdout
            let object = try JSONSerialization.jsonObject(with: Data(state.utf8)) as? [String: Any] ?? [:]
            return (object["calls"] as? Int ?? -1, object["last"] as? [String: Any] ?? [:])
        }
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api(authorizer: authorizer), backend: "127.0.0.1:\(backend.port)")
        // The authorizer's verdict in the formatted access log.
        let format = "$context.identity.caller|$context.authorizer.principalId|$context.authorizer.team|$context.authorizer.cached|$context.authorizer.error"
        #expect(try await gatehouse("logging", "set", "--store", db, "--api", apiId, "--stage", "prod", "--access-format", format).status == 0)
        let (worker, port) = try await startWorker(db, admin: true)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        func call(_ path: String, _ headers: [String] = []) async throws -> (Int, String) {
            statusAndBody(try await curl(["-w", "\n%{http_code}"] + headers.flatMap { ["-H", $0] } + [base + path]).stdout)
        }

        // TOKEN: no token and a token the validation expression refuses are 401 without a call.
        #expect(try await call("/pets/1") == (401, #"{"message":"Unauthorized"}"#))
        #expect(try await call("/pets/1", ["Authorization: NOT-lower"]).0 == 401)
        #expect(try await calls().0 == 0)
        // Allowed: the event was AWS's, and the answer is kept — a second call and another pet do not ask again.
        #expect(try await call("/pets/1", ["Authorization: allow"]).0 == 200)
        let (afterFirst, event) = try await calls()
        #expect(afterFirst == 1)
        #expect(event["type"] as? String == "TOKEN" && event["authorizationToken"] as? String == "allow")
        #expect(event["methodArn"] as? String == "arn:aws:execute-api:us-east-1:000000000000:\(apiId)/prod/GET/pets/1")
        #expect(try await call("/pets/2", ["Authorization: allow"]).0 == 200)
        // The kept policy is checked against each call's ARN: it allows GET /pets/*, not /orders.
        let orders = try await call("/orders", ["Authorization: allow"])
        #expect(orders == (403, #"{"message":"User is not authorized to access this resource"}"#), "\(orders)")
        #expect(try await calls().0 == 1, "three calls, one authorizer call")
        // Flushed (AWS's FlushStageAuthorizersCache): the next call asks again, within a second, without a deployment.
        #expect(try await gatehouse("authorizer", "flush", "--store", db, "--api", apiId, "--stage", "prod").status == 0)
        try await waitUntilAsync("the authorizer asked again after the flush") {
            _ = try await call("/pets/1", ["Authorization: allow"])
            return try await calls().0 == 2
        }
        #expect(try await call("/pets/2", ["Authorization: allow"]).0 == 200)
        #expect(try await calls().0 == 2, "kept again after the flush")
        // Denied, 401 from the authorizer, the authorizer failing, its answer garbage.
        #expect(try await call("/pets/1", ["Authorization: deny"]).0 == 403)
        #expect(try await call("/pets/1", ["Authorization: unauthorized"]).0 == 401)
        let failed = try await call("/pets/1", ["Authorization: fail"])
        #expect(failed.0 == 500 && failed.1 == #"{"message":"Internal server error"}"#, "\(failed)")
        #expect(try await call("/pets/1", ["Authorization: broken"]).0 == 500)

        // REQUEST: both identity sources are sent; with TTL 0 every call asks; the context reaches the mapping.
        let request = try await call("/req?tenant=acme", ["X-Team: ops"])
        #expect(request.0 == 200, "\(request)")
        #expect(request.1.contains(#""x-team-level":"3""#) && request.1.contains(#""x-principal":"user-ops""#), "\(request.1)")
        let (count, requestEvent) = try await calls()
        #expect(requestEvent["type"] as? String == "REQUEST" && requestEvent["resource"] as? String == "/req")
        #expect((requestEvent["queryStringParameters"] as? [String: String])?["tenant"] == "acme")
        #expect((requestEvent["headers"] as? [String: String])?["X-Team"] == "ops")
        _ = try await call("/req?tenant=acme", ["X-Team: ops"])
        #expect(try await calls().0 == count + 1, "TTL 0: asked every time")

        // The CLI: a TOKEN authorizer with a 1 s TTL guards /short; its answer is asked again once the TTL is over.
        let created = try await gatehouse("authorizer", "create", "--store", db, "--api", apiId, "--name", "short", "--type", "TOKEN",
                                          "--uri", authorizer + "/authorize", "--ttl", "1")
        #expect(created.status == 0, "\(created.stderr)")
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await gatehouse("method", "set", "--store", db, "--api", apiId, "--method", "GET /short", "--authorizer", id).status == 0)
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod", "--var", "backend=127.0.0.1:\(backend.port)").status == 0)
        try await waitUntilAsync("the CLI's authorizer guards /short") { try await call("/short").0 == 401 }
        // (The policy allows GET /pets/* and GET /req only.)
        #expect(try await call("/short", ["Authorization: allow"]).0 == 403)
        let asked = try await calls().0
        #expect(try await call("/short", ["Authorization: allow"]).0 == 403)
        try await waitUntilAsync("the kept answer expires and the authorizer is asked again") {
            _ = try await call("/short", ["Authorization: allow"])
            return try await calls().0 > asked
        }

        // /metrics counts each authorizer's decisions and its cache's answers.
        let adminLine = try await worker.line(containing: "admin on")
        let metrics = try await curl([String(adminLine.split(separator: " ").last ?? "")]).stdout
        let tokAllowed = metrics.split(separator: "\n").first { $0.hasPrefix("gatehouse_authorizer_requests_total{") && $0.contains(#"authorizer="tok""#)
            && $0.contains(#"result="allowed""#) }
        #expect(tokAllowed.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0 >= 2, "\(tokAllowed ?? "none")")
        #expect(metrics.contains(#"result="error""#) && metrics.contains(#"result="unauthorized""#) && metrics.contains(#"result="denied""#))
        #expect(metrics.contains("gatehouse_authorizer_cache_hits_total{"), "the second /pets call and /orders came from the cache")

        try await waitUntilAsync("the caller and the authorizer's verdict are in the access log") {
            let rows = try await run("/usr/bin/env", ["sqlite3", "-cmd", ".timeout 5000", db, "SELECT principal, formatted FROM access_log WHERE principal IS NOT NULL"]).stdout
            return rows.contains("user-allow|user-allow|user-allow|blue|false|-") && rows.contains("user-allow|user-allow|user-allow|blue|true|-")
                && rows.contains("user-ops|user-ops|user-ops|blue|false|-")
        }
        try await waitUntilAsync("the refusals are logged with their reasons") {
            let rows = try await run("/usr/bin/env", ["sqlite3", "-cmd", ".timeout 5000", db, "SELECT error FROM access_log WHERE status >= 400"]).stdout
            return rows.contains("AUTHORIZER_FAILURE: the authorizer answered 500") && rows.contains("AUTHORIZER_CONFIGURATION_ERROR")
                && rows.contains("ACCESS_DENIED: the authorizer's policy does not allow")
        }
    }

    /// An API whose key source is AUTHORIZER: the key is the one the custom authorizer names (`usageIdentifierKey`),
    /// looked up and metered like a header key; `x-api-key` is not read.
    @Test func theAuthorizerGivesTheApiKeyWhenTheKeySourceIsAuthorizer() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (server, authorizer) = try await pythonServer(Self.authorizerServer)
        defer { server.signal(SIGKILL) }
        let api = """
            openapi: 3.0.1
            info: {title: Keyed, version: "1"}
            x-amazon-apigateway-api-key-source: AUTHORIZER
            components:
              securitySchemes:
                api_key: {type: apiKey, name: x-api-key, in: header}
                tok:
                  type: apiKey
                  name: Authorization
                  in: header
                  x-amazon-apigateway-authtype: custom
                  x-amazon-apigateway-authorizer: {type: token, authorizerUri: "\(authorizer)/authorize", authorizerResultTtlInSeconds: 0}
            paths:
              /pets/{petId}:
                get:
                  security: [{tok: [], api_key: []}]
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
            """
        let (db, apiId) = try await sampleStore(dir, apiText: api)
        let value = "partner-key-0123456789abcdef"
        let key = try await gatehouse("key", "create", "--store", db, "--name", "partner", "--value", value)
        let plan = try await gatehouse("plan", "create", "--store", db, "--name", "partners", "--stage", "\(apiId)/prod")
        let keyId = key.stdout.split(separator: "\t").first.map(String.init) ?? ""
        let planId = plan.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await gatehouse("plan", "add-key", "--store", db, "--plan", planId, "--key", keyId).status == 0)
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let url = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_/pets/1"
        func call(_ headers: [String]) async throws -> Int {
            statusAndBody(try await curl(["-w", "\n%{http_code}"] + headers.flatMap { ["-H", $0] } + [url]).stdout).0
        }
        #expect(try await call(["Authorization: key:\(value)"]) == 200)
        #expect(try await call(["Authorization: key:unknown-key-0000000000000"]) == 403)
        #expect(try await call(["Authorization: allow", "x-api-key: \(value)"]) == 403, "the header is not the key source")
        try await waitUntilAsync("the call is metered against the key") {
            let rows = try await run("/usr/bin/env", ["sqlite3", "-cmd", ".timeout 5000", db, "SELECT count(*) FROM access_log WHERE api_key_id = '\(keyId)' AND status = 200"]).stdout
            return rows.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
        }
    }
}
