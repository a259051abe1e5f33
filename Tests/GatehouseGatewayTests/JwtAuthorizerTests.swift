import _CryptoExtras
import Foundation
import GatehouseCore
import JWTKit
import Testing

/// JWT authorizers through a real worker, against a small real OpenID Connect issuer (a Python process serving
/// discovery and a JWKS from files, counting its hits): tokens signed with ES256, EdDSA and RS256 by jwt-kit pass;
/// missing, expired, foreign, tampered and under-scoped ones are refused; a key rotated at the issuer is picked
/// up; the token's claims reach the integration through a mapping.
@Suite struct JwtAuthorizerTests {
    static let issuerServer = #"""
        import http.server, json, os, sys
        root, hits = sys.argv[1], {}
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/_hits":
                    body = json.dumps(hits).encode()
                else:
                    hits[self.path] = hits.get(self.path, 0) + 1
                    path = os.path.join(root, self.path.lstrip("/"))
                    if not os.path.isfile(path):
                        self.send_response(404); self.end_headers(); return
                    body = open(path, "rb").read()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args): pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print("listening", server.server_address[1], flush=True)
        server.serve_forever()
        """#

    struct TestClaims: JWTPayload {
        var iss: String
        var aud: [String]
        var sub: String
        var exp: Int
        var nbf: Int?
        var scope: String?
        var email: String?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func api(issuer: String) -> String {
        """
        openapi: 3.0.1
        info: {title: Tokens, version: "1"}
        components:
          securitySchemes:
            oidc:
              type: oauth2
              flows: {}
              x-amazon-apigateway-authorizer:
                type: jwt
                jwtConfiguration: {issuer: "\(issuer)", audience: [gatehouse-tests]}
                identitySource: "$request.header.Authorization"
        paths:
          /profile:
            get:
              security: [{oidc: [pets/read]}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http
                httpMethod: GET
                uri: "http://${stageVariables.backend}/profile"
                requestParameters: {integration.request.header.X-User: context.authorizer.claims.email}
                responses: {default: {statusCode: "200"}}
          /admin:
            get:
              security: [{oidc: [admin]}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/admin"}
          /cli:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/cli"}
        """
    }

    @Test func tokensFromARealIssuerAreCheckedAndARotatedKeyIsPickedUp() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let site = dir.path("issuer")
        try FileManager.default.createDirectory(atPath: site + "/.well-known", withIntermediateDirectories: true)
        let (server, issuer) = try await pythonServer(Self.issuerServer, [site])
        defer { server.signal(SIGKILL) }
        try #"{"issuer":"\#(issuer)","jwks_uri":"\#(issuer)/jwks.json"}"#.write(toFile: site + "/.well-known/openid-configuration", atomically: true, encoding: .utf8)

        // Three keys of three kinds, published as the issuer's JWKS.
        let es = ES256PrivateKey(), ed = try EdDSA.PrivateKey(curve: .ed25519)
        let rsa = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        let signers = JWTKeyCollection()
        await signers.add(ecdsa: es, kid: "es-1")
        await signers.add(eddsa: ed, kid: "ed-1")
        await signers.add(rsa: rsa, digestAlgorithm: .sha256, kid: "rsa-1")
        let (n, e) = try rsa.publicKey.getKeyPrimitives()
        func ecJWK(_ key: ES256PrivateKey, _ kid: String) -> String {
            let p = key.publicKey.parameters
            return #"{"kty":"EC","crv":"P-256","x":"\#(p?.x ?? "")","y":"\#(p?.y ?? "")","kid":"\#(kid)","alg":"ES256","use":"sig"}"#
        }
        let edJWK = #"{"kty":"OKP","crv":"Ed25519","x":"\#(Self.base64url(ed.publicKey.rawRepresentation))","kid":"ed-1","alg":"EdDSA","use":"sig"}"#
        let rsaJWK = #"{"kty":"RSA","n":"\#(Self.base64url(n))","e":"\#(Self.base64url(e))","kid":"rsa-1","alg":"RS256","use":"sig"}"#
        try #"{"keys":[\#(ecJWK(es, "es-1")),\#(edJWK),\#(rsaJWK)]}"#.write(toFile: site + "/jwks.json", atomically: true, encoding: .utf8)

        let backend = try await BackendProcess()
        defer { backend.stop() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api(issuer: issuer), backend: "127.0.0.1:\(backend.port)")
        let (worker, gatewayPort) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(gatewayPort)/restapis/\(apiId)/prod/_user_request_"
        let now = Int(Date().timeIntervalSince1970)
        func token(_ kid: String, iss: String? = nil, aud: [String] = ["gatehouse-tests"], exp: Int? = nil, scope: String = "pets/read") async throws -> String {
            try await signers.sign(TestClaims(iss: iss ?? issuer, aud: aud, sub: "user-1", exp: exp ?? now + 600, nbf: now - 5, scope: scope,
                                              email: "rex@example.test"), kid: JWKIdentifier(string: kid))
        }
        func call(_ path: String, _ token: String?) async throws -> (Int, String) {
            statusAndBody(try await curl(["-w", "\n%{http_code}"] + (token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []) + [base + path]).stdout)
        }

        let none = try await call("/profile", nil)
        #expect(none.0 == 401 && none.1 == #"{"message":"Unauthorized"}"#, "\(none)")
        for kid in ["es-1", "ed-1", "rsa-1"] {
            let answer = try await call("/profile", try await token(kid))
            #expect(answer.0 == 200, "\(kid): \(answer)")
            #expect(answer.1.contains(#""x-user":"rex@example.test""#), "the email claim reached the backend by mapping: \(answer.1)")
        }
        // Without "Bearer " too, as AWS takes it.
        let bare = try await curl(["-w", "\n%{http_code}", "-H", "Authorization: \(try await token("es-1"))", base + "/profile"])
        #expect(statusAndBody(bare.stdout).0 == 200)
        // Expired beyond the 60 s leeway, and within it.
        #expect(try await call("/profile", try await token("es-1", exp: now - 120)).0 == 401)
        #expect(try await call("/profile", try await token("es-1", exp: now - 20)).0 == 200)
        // Another audience, another issuer, a signature that does not hold.
        #expect(try await call("/profile", try await token("es-1", aud: ["someone-else"])).0 == 401)
        #expect(try await call("/profile", try await token("es-1", iss: "http://127.0.0.1:1")).0 == 401)
        let good = try await token("ed-1")
        let tampered = String(good.dropLast(4)) + (good.hasSuffix("AAAA") ? "BBBB" : "AAAA")
        #expect(try await call("/profile", tampered).0 == 401)
        // A valid token without the method's scope.
        let admin = try await call("/admin", try await token("es-1"))
        #expect(admin.0 == 403 && admin.1 == #"{"message":"Forbidden"}"#, "\(admin)")
        #expect(try await call("/admin", try await token("es-1", scope: "pets/read admin")).0 == 200)

        // The issuer rotates: es-2 replaces es-1. A token with the new key id makes the worker fetch the set again;
        // the retired key is refused from then on.
        let es2 = ES256PrivateKey()
        await signers.add(ecdsa: es2, kid: "es-2")
        try #"{"keys":[\#(ecJWK(es2, "es-2")),\#(edJWK),\#(rsaJWK)]}"#.write(toFile: site + "/jwks.json", atomically: true, encoding: .utf8)
        let before = try await run("/usr/bin/env", ["curl", "-s", issuer + "/_hits"]).stdout
        #expect(before.contains(#""/jwks.json": 1"#), "the key set was fetched once so far: \(before)")
        // (A set fetched less than a second ago is not fetched again: the worker may answer 401 until then.)
        let rotated = try await token("es-2")
        var calls = 0
        try await waitUntilAsync("the new key is picked up") {
            calls += 1
            return try await call("/profile", rotated).0 == 200
        }
        #expect(try await call("/profile", try await token("es-1")).0 == 401)
        let after = try await run("/usr/bin/env", ["curl", "-s", issuer + "/_hits"]).stdout
        let fetches = (try JSONSerialization.jsonObject(with: Data(after.utf8)) as? [String: Int])?["/jwks.json"] ?? 0
        #expect(fetches >= 2 && fetches <= 3, "fetched again for the new key id, at most once a second, not per call (\(calls) calls): \(after)")

        // Every refusal is logged with its reason.
        try await waitUntilAsync("the refusals are logged") {
            let rows = try await run("/usr/bin/env", ["sqlite3", "-cmd", ".timeout 5000", db, "SELECT error FROM access_log WHERE status IN (401, 403)"])
            return rows.stdout.contains("UNAUTHORIZED: the token expired") && rows.stdout.contains("ACCESS_DENIED: the token carries none")
                && rows.stdout.contains("UNAUTHORIZED: no token in Authorization")
        }

        // The CLI: an authorizer made by hand guards a method with a scope, from the next deploy.
        let created = try await gatehouse("authorizer", "create", "--store", db, "--api", apiId, "--name", "by-hand", "--type", "JWT",
                                          "--issuer", issuer, "--audience", "cli-tests", "--jwks-uri", issuer + "/jwks.json")
        #expect(created.status == 0, "\(created.stderr)")
        let authorizerId = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try await gatehouse("authorizer", "list", "--store", db, "--api", apiId)
        #expect(listed.stdout.contains(authorizerId) && listed.stdout.contains("by-hand") && listed.stdout.contains("cli-tests"), "\(listed.stdout)")
        let set = try await gatehouse("method", "set", "--store", db, "--api", apiId, "--method", "GET /cli", "--authorizer", authorizerId, "--scope", "cli")
        #expect(set.status == 0, "\(set.stderr)")
        let inUse = try await gatehouse("authorizer", "delete", "--store", db, "--api", apiId, authorizerId)
        #expect(inUse.status != 0 && inUse.stderr.contains("guards GET /cli"), "\(inUse.stderr)")
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod", "--var", "backend=127.0.0.1:\(backend.port)").status == 0)
        try await waitUntilAsync("the CLI's authorizer guards /cli") { try await call("/cli", nil).0 == 401 }
        #expect(try await call("/cli", try await token("es-2", aud: ["cli-tests"], scope: "cli")).0 == 200)
        #expect(try await call("/cli", try await token("es-2", scope: "cli")).0 == 401, "the audience is the CLI authorizer's")
    }
}
