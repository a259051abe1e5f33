import Foundation
import GatehouseCore
import Testing

/// AWS_IAM methods through a real worker process, called by botocore's own signers (`SigV4Auth` for the header
/// form, `SigV4QueryAuth` for presigned URLs) from Python: what botocore signs passes, and every fault is
/// refused 403 with AWS's message and `x-amzn-ErrorType`.
@Suite struct SigV4Tests {
    static let api = """
        openapi: 3.0.1
        info: {title: Signed, version: "1"}
        components:
          securitySchemes:
            sigv4: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
        paths:
          /pets/{petId}:
            get:
              security: [{sigv4: []}]
              parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/pets/{petId}",
                                                requestParameters: {integration.request.path.petId: method.request.path.petId}}
          /echo:
            post:
              security: [{sigv4: []}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: POST, uri: "http://${stageVariables.backend}/echo"}
          /open:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses: {default: {statusCode: "200"}}
        """

    /// Signs with botocore and sends with urllib; prints status, body and `x-amzn-ErrorType` as JSON.
    static let signer = #"""
        import datetime, json, os, sys, urllib.error, urllib.request
        import botocore.auth
        from botocore.auth import SigV4Auth, SigV4QueryAuth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        mode, method, url, key, secret, body, skew, region = sys.argv[1:9]
        if int(skew):
            real = botocore.auth.get_current_datetime
            botocore.auth.get_current_datetime = lambda: real() + datetime.timedelta(seconds=int(skew))
        request = AWSRequest(method=method, url=url, data=body.encode() if body else None,
                             headers={"Content-Type": "application/json"} if body else {})
        if mode == "presign":
            SigV4QueryAuth(Credentials(key, secret), "execute-api", region, expires=int(os.environ.get("EXPIRES", "60"))).add_auth(request)
        else:
            SigV4Auth(Credentials(key, secret), "execute-api", region).add_auth(request)
        prepared = request.prepare()
        data = prepared.body
        if os.environ.get("SEND_BODY") is not None:
            data = os.environ["SEND_BODY"].encode()
        sent = urllib.request.Request(prepared.url, data=data, method=method, headers=dict(prepared.headers))
        try:
            response = urllib.request.urlopen(sent, timeout=20)
            status, text, kind = response.status, response.read().decode(), response.headers.get("x-amzn-ErrorType", "")
        except urllib.error.HTTPError as error:
            status, text, kind = error.code, error.read().decode(), error.headers.get("x-amzn-ErrorType", "")
        print(json.dumps({"status": status, "body": text, "errorType": kind}))
        """#

    struct Answer: Decodable {
        var status: Int
        var body: String
        var errorType: String
        var message: String {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["message"] as? String ?? ""
        }
    }

    struct Signer {
        var base: String
        var key: String
        var secret: String

        func call(_ method: String, _ path: String, body: String = "", mode: String = "header", skew: Int = 0, region: String = "us-east-1",
                  key: String? = nil, secret: String? = nil, environment: [String: String] = [:]) async throws -> Answer {
            var env = ProcessInfo.processInfo.environment
            env.merge(environment) { $1 }
            let result = try await run("/usr/bin/env", ["python3", "-c", SigV4Tests.signer, mode, method, base + path, key ?? self.key,
                                                        secret ?? self.secret, body, String(skew), region], environment: env)
            guard result.status == 0 else { throw TestFailure("the signer failed: \(result.stderr)") }
            return try JSONDecoder().decode(Answer.self, from: Data(result.stdout.utf8))
        }
    }

    @Test func botocoreSignedCallsPassAndEveryFaultIsRefusedWithAWSsMessage() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api, backend: "127.0.0.1:\(backend.port)")
        let reimport = try await run(Binary.gatehouse, ["import", dir.path("api.yaml"), "--store", dir.path("other.db")])
        #expect(reimport.status == 0 && !reimport.stderr.contains("authorizer"), "awsSigv4 is enforced here, so no warning: \(reimport.stderr)")
        let created = try await gatehouse("credentials", "create", "--store", db, "--name", "ci-bot", "--allow", "arn:aws:execute-api:*:*:\(apiId)/prod/*")
        let narrow = try await gatehouse("credentials", "create", "--store", db, "--name", "reader", "--allow", "arn:aws:execute-api:*:*:\(apiId)/prod/GET/pets/*")
        #expect(created.status == 0 && narrow.status == 0, "\(created.stderr) \(narrow.stderr)")
        let pair = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t").map(String.init)
        let readerPair = narrow.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t").map(String.init)
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        let signer = Signer(base: base, key: pair.first ?? "", secret: pair.last ?? "")

        // Unsigned: AWS's answer for a call without a token.
        let unsigned = try await curl(["-w", "\n%{http_code}", base + "/pets/7"])
        #expect(statusAndBody(unsigned.stdout).0 == 403)
        #expect(unsigned.stdout.contains("Missing Authentication Token"))
        // An open method next to it needs nothing.
        #expect(statusAndBody(try await curl(["-w", "\n%{http_code}", base + "/open"]).stdout).0 == 200)

        // Signed by botocore, header form: through to the backend, the body intact.
        let get = try await signer.call("GET", "/pets/7")
        #expect(get.status == 200 && get.body.contains(#""id":7"#), "\(get)")
        let post = try await signer.call("POST", "/echo", body: #"{"name":"Rex"}"#)
        #expect(post.status == 200, "\(post)")
        #expect(post.body.contains(#""body":"{\"name\":\"Rex\"}""#), "the backend got the signed body: \(post.body)")
        // Presigned: the signature in the query.
        let presigned = try await signer.call("GET", "/pets/8", mode: "presign")
        #expect(presigned.status == 200 && presigned.body.contains(#""id":8"#), "\(presigned)")

        // A body changed after signing.
        let tampered = try await signer.call("POST", "/echo", body: #"{"name":"Rex"}"#, environment: ["SEND_BODY": #"{"name":"Rox"}"#])
        #expect(tampered.status == 403 && tampered.errorType == "InvalidSignatureException", "\(tampered)")
        #expect(tampered.message.hasPrefix("The request signature we calculated does not match the signature you provided."))
        // The wrong secret.
        let wrongSecret = try await signer.call("GET", "/pets/7", secret: String(repeating: "x", count: 40))
        #expect(wrongSecret.status == 403 && wrongSecret.message.contains("does not match"), "\(wrongSecret)")
        // A clock ten minutes behind, and a presigned URL past its expiry.
        let skewed = try await signer.call("GET", "/pets/7", skew: -600)
        #expect(skewed.status == 403 && skewed.message.hasPrefix("Signature expired: ") && skewed.message.hasSuffix("- 5 min.)"), "\(skewed)")
        let stale = try await signer.call("GET", "/pets/7", mode: "presign", skew: -120, environment: ["EXPIRES": "60"])
        #expect(stale.status == 403 && stale.message.hasPrefix("Signature expired: "), "\(stale)")
        // Another region's signature.
        let elsewhere = try await signer.call("GET", "/pets/7", region: "eu-west-1")
        #expect(elsewhere.status == 403 && elsewhere.message.contains("region"), "\(elsewhere)")
        // A key this gateway never issued.
        let unknown = try await signer.call("GET", "/pets/7", key: "AKIAAAAAAAAAAAAAAAAA")
        #expect(unknown.status == 403 && unknown.errorType == "UnrecognizedClientException", "\(unknown)")
        #expect(unknown.message == "The security token included in the request is invalid.")
        // A credential whose allow list does not cover the call.
        let reader = Signer(base: base, key: readerPair.first ?? "", secret: readerPair.last ?? "")
        #expect(try await reader.call("GET", "/pets/3").status == 200)
        let denied = try await reader.call("POST", "/echo", body: "{}")
        #expect(denied.status == 403 && denied.errorType == "AccessDeniedException", "\(denied)")
        #expect(denied.message == "User: arn:aws:iam::000000000000:user/reader is not authorized to perform: execute-api:Invoke "
            + "on resource: arn:aws:execute-api:us-east-1:000000000000:\(apiId)/prod/POST/echo")

        // Revoked: refused from the next configuration swap on (within a second), on the same worker.
        #expect(try await gatehouse("credentials", "revoke", "--store", db, pair.first ?? "").status == 0)
        try await waitUntilAsync("the revocation is enforced") { try await signer.call("GET", "/pets/7").status == 403 }
        let revoked = try await signer.call("GET", "/pets/7")
        #expect(revoked.errorType == "UnrecognizedClientException", "\(revoked)")

        // From the CLI: the method opened again (with the next deploy), and a type this build cannot set refused.
        let opened = try await gatehouse("method", "set", "--store", db, "--api", apiId, "--method", "GET /pets/{petId}", "--authorization-type", "NONE")
        #expect(opened.status == 0, "\(opened.stderr)")
        let bad = try await gatehouse("method", "set", "--store", db, "--api", apiId, "--method", "GET /pets/{petId}", "--authorization-type", "CUSTOM")
        #expect(bad.status != 0 && bad.stderr.contains("use NONE or AWS_IAM"), "\(bad.stderr)")
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod", "--var", "backend=127.0.0.1:\(backend.port)").status == 0)
        try await waitUntilAsync("the open method is served") {
            statusAndBody(try await curl(["-w", "\n%{http_code}", base + "/pets/7"]).stdout).0 == 200
        }

        // Every refusal is in the access log with its type and reason.
        try await waitUntilAsync("the refusals are logged") {
            let rows = try await run("/usr/bin/env", ["sqlite3", "-cmd", ".timeout 5000", db, "SELECT error FROM access_log WHERE status = 403"])
            return rows.stdout.contains("INVALID_SIGNATURE: Signature expired") && rows.stdout.contains("ACCESS_DENIED: User: arn:aws:iam::")
                && rows.stdout.contains("MISSING_AUTHENTICATION_TOKEN")
        }
    }

    /// The canonical request for awkward paths and queries matches botocore's, byte for byte.
    @Test func theCanonicalRequestIsBotocoresForAwkwardPathsAndQueries() async throws {
        let script = #"""
            import sys
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            request = AWSRequest(method="GET", url="http://h.test" + sys.argv[1], headers={"X-Amz-Date": "20261128T101500Z", "Host": "h.test", "X-Tag": "  a   b  "})
            auth = SigV4Auth(Credentials("AKID", "secret"), "execute-api", "us-east-1")
            sys.stdout.write(auth.canonical_request(request))
            """#
        for target in ["/pets/7", "/a%20b/c", "/x/./y/../z//w/", "/caf%C3%A9?b=2&a=1&a=0", "/?X-Amz-Date=1&empty=&z=%2F"] {
            let expected = try await run("/usr/bin/env", ["python3", "-c", script, target])
            #expect(expected.status == 0, "\(expected.stderr)")
            let signature = SigV4.Signature(accessKeyId: "AKID", scopeDate: "20261128", region: "us-east-1", service: "execute-api",
                                            signedHeaders: ["host", "x-amz-date", "x-tag"], signature: "", timestamp: "20261128T101500Z")
            let ours = try SigV4.canonicalRequest(method: "GET", target: target,
                                                  headers: [("Host", "h.test"), ("X-Amz-Date", "20261128T101500Z"), ("X-Tag", "  a   b  ")],
                                                  signature: signature, payloadHash: SigV4.emptyPayloadHash)
            #expect(ours == expected.stdout, "\(target)")
        }
    }
}
