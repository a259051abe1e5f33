import Foundation
import GatehouseCore
import Testing

/// Resource policies through a real worker: allow and deny lists by IPv4 and IPv6 CIDR (the caller's address
/// taken from `X-Forwarded-For` because the worker trusts the proxy it comes through), header conditions, AWS's
/// evaluation for open and AWS_IAM methods (a signer named as principal, by botocore), and the CLI.
@Suite struct ResourcePolicyTests {
    static let policy = """
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
          {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
           "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8:bad::/48"]}}},
          {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*/GET/open",
           "Condition": {"StringEquals": {"gatehouse:Header/X-Env": "staging"}}},
          {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:user/partner"}, "Action": "execute-api:Invoke",
           "Resource": "execute-api:/prod/GET/signed"},
          {"Effect": "Deny", "Principal": {"AWS": ["arn:aws:iam::000000000000:user/banned"]}, "Action": "execute-api:Invoke",
           "Resource": "execute-api:/*"}
        ]}
        """

    static let api = """
        openapi: 3.0.1
        info: {title: Policed, version: "1"}
        components:
          securitySchemes:
            sigv4: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
        x-amazon-apigateway-policy: \(policy.replacingOccurrences(of: "\n", with: " "))
        paths:
          /open:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
          /signed:
            get:
              security: [{sigv4: []}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
        """

    @Test func allowAndDenyByAddressHeaderAndPrincipal() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api)
        #expect(try await gatehouse("policy", "show", "--store", db, "--api", apiId).stdout.contains("2001:db8:bad::/48"))
        let (worker, port) = try await startWorker(db, arguments: ["--trusted-proxy", "127.0.0.1"])
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        func call(_ path: String, from address: String? = nil, _ headers: [String] = [], base: String? = nil) async throws -> (Int, String) {
            let forwarded = address.map { ["-H", "X-Forwarded-For: \($0)"] } ?? []
            return statusAndBody(try await curl(["-w", "\n%{http_code}"] + forwarded + headers.flatMap { ["-H", $0] } + [(base ?? "") + path]).stdout)
        }
        let arn = "arn:aws:execute-api:us-east-1:000000000000:\(apiId)/prod/GET/open"
        #expect(try await call(base + "/open", from: "198.51.100.7").0 == 200)
        let denied = try await call(base + "/open", from: "203.0.113.9")
        #expect(denied == (403, #"{"message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: \#(arn) with an explicit deny"}"#),
                "\(denied)")
        // IPv6 callers, and the rightmost untrusted address of a chain of proxies.
        #expect(try await call(base + "/open", from: "2001:db8:bad::1").0 == 403)
        #expect(try await call(base + "/open", from: "2001:db8:900d::1").0 == 200)
        #expect(try await call(base + "/open", from: "203.0.113.9, 198.51.100.7").0 == 200, "the last hop before the trusted proxy counts")
        #expect(try await call(base + "/open", from: "198.51.100.7, 203.0.113.9").0 == 403)
        // A header condition.
        #expect(try await call(base + "/open", from: "198.51.100.7", ["X-Env: staging"]).0 == 403)
        #expect(try await call(base + "/open", from: "198.51.100.7", ["X-Env: prod"]).0 == 200)

        // AWS_IAM: a signer with an empty allow list is let in by the policy naming it; one the policy denies is
        // refused even when its own allow list covers the call.
        let partner = try await gatehouse("credentials", "create", "--store", db, "--name", "partner")
        let banned = try await gatehouse("credentials", "create", "--store", db, "--name", "banned", "--allow", "arn:aws:execute-api:*:*:*")
        let partnerPair = partner.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t").map(String.init)
        let bannedPair = banned.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t").map(String.init)
        let asPartner = SigV4Tests.Signer(base: base, key: partnerPair.first ?? "", secret: partnerPair.last ?? "")
        let asBanned = SigV4Tests.Signer(base: base, key: bannedPair.first ?? "", secret: bannedPair.last ?? "")
        try await waitUntilAsync("the new credentials are served") { try await asPartner.call("GET", "/signed").status == 200 }
        let refused = try await asBanned.call("GET", "/signed")
        #expect(refused.status == 403 && refused.message.hasSuffix("with an explicit deny") && refused.message.hasPrefix("User: arn:aws:iam::000000000000:user/banned"),
                "\(refused)")

        // Without a trusted proxy, X-Forwarded-For is the client's word and is not believed.
        let (plain, plainPort) = try await startWorker(db)
        defer { plain.signal(SIGKILL) }
        #expect(try await call("http://127.0.0.1:\(plainPort)/restapis/\(apiId)/prod/_user_request_/open", from: "203.0.113.9").0 == 200)

        // The CLI: an allow list only (no Allow for the caller is a refusal for an open method), then cleared.
        try #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","fd00::/8"]}}}]}"#
            .write(toFile: dir.path("allow.json"), atomically: true, encoding: .utf8)
        #expect(try await gatehouse("policy", "set", "--store", db, "--api", apiId, "--file", dir.path("allow.json")).status == 0)
        try "{\"Statement\": [{\"Effect\": \"Maybe\"}]}".write(toFile: dir.path("bad.json"), atomically: true, encoding: .utf8)
        let bad = try await gatehouse("policy", "set", "--store", db, "--api", apiId, "--file", dir.path("bad.json"))
        #expect(bad.status != 0 && bad.stderr.contains("Statement[0]: Effect must be Allow or Deny"), "\(bad.stderr)")
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod").status == 0)
        try await waitUntilAsync("the allow list is served") { try await call(base + "/open", from: "198.51.100.7").0 == 403 }
        let implicit = try await call(base + "/open", from: "198.51.100.7")
        #expect(!implicit.1.contains("explicit deny") && implicit.1.contains("is not authorized"), "\(implicit)")
        #expect(try await call(base + "/open", from: "10.1.2.3").0 == 200)
        #expect(try await call(base + "/open", from: "fd12::7").0 == 200)
        #expect(try await gatehouse("policy", "clear", "--store", db, "--api", apiId).status == 0)
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod").status == 0)
        try await waitUntilAsync("no policy") { try await call(base + "/open", from: "198.51.100.7").0 == 200 }
    }

    @Test func cidrsMatchIPv4AndIPv6AndMappedAddresses() {
        let v4 = CIDR("10.0.0.0/8"), v6 = CIDR("2001:db8::/32"), host = CIDR("192.0.2.7")
        #expect(v4?.contains("10.255.0.1") == true && v4?.contains("11.0.0.1") == false)
        #expect(v4?.contains("::ffff:10.1.2.3") == true, "an IPv4-mapped IPv6 address is its IPv4 one")
        #expect(v6?.contains("2001:db8:1::5") == true && v6?.contains("2001:db9::1") == false && v6?.contains("10.0.0.1") == false)
        #expect(host?.contains("192.0.2.7") == true && host?.contains("192.0.2.8") == false)
        #expect(CIDR("10.0.0.0/33") == nil && CIDR("nonsense") == nil && CIDR("2001:db8::/129") == nil)
        #expect(CIDR("0.0.0.0/0")?.contains("8.8.8.8") == true)
    }
}
