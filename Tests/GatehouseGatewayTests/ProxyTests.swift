import Foundation
import GatehouseCore
import GatehouseStore
import Testing

/// Real traffic through a real worker to a real backend process, with curl as the client.
@Suite struct ProxyTests {
    @Test func httpProxyPassesMethodPathQueryHeadersAndBody() async throws {
        try await withGateway { gw, backend in
            let result = try await curl(["-i", "-X", "POST", gw.url("/echo/deep/path?a=1&b=two"),
                                         "-H", "Content-Type: text/plain", "-H", "X-Custom: kept",
                                         "-H", "Connection: keep-alive, X-Hop", "-H", "X-Hop: dropped",
                                         "-H", "Proxy-Authorization: Basic c2VjcmV0", "-H", "X-Forwarded-For: 10.1.2.3",
                                         "--data-binary", "hello backend"])
            let text = result.stdout
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(text.lowercased().contains("x-amzn-requestid: "))
            #expect(text.lowercased().contains("x-backend: sample"))
            let json = try #require(text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) })
            let echo = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(echo["method"] as? String == "POST")
            #expect(echo["uri"] as? String == "/echo/deep/path?a=1&b=two")
            #expect(echo["body"] as? String == "hello backend")
            let headers = try #require(echo["headers"] as? [String: String])
            #expect(headers["x-custom"] == "kept")
            #expect(headers["x-hop"] == nil, "a header named in Connection is hop-by-hop")
            #expect(headers["proxy-authorization"] == nil)
            #expect(headers["x-forwarded-for"] == "10.1.2.3, 127.0.0.1")
            #expect(headers["host"] == "127.0.0.1:\(backend.port)")
        }
    }

    @Test func httpIntegrationMapsParametersAndResponses() async throws {
        try await withGateway { gw, _ in
            let found = try await curl(["-i", gw.url("/pets/7")])
            #expect(found.stdout.hasPrefix("HTTP/1.1 200"))
            #expect(found.stdout.lowercased().contains("x-pet-source: sample-backend"))
            #expect(found.stdout.contains(#""id":7"#))
            let missing = try await curl(["-w", "\n%{http_code}", gw.url("/pets/404")])
            #expect(statusAndBody(missing.stdout).0 == 404)
        }
    }

    @Test func mockAndHostHeaderInvokeForm() async throws {
        try await withGateway { gw, _ in
            let mock = try await curl(["-i", gw.url("/health")])
            #expect(mock.stdout.hasPrefix("HTTP/1.1 200"))
            #expect(mock.stdout.lowercased().contains("content-type: application/json"))
            #expect(mock.stdout.hasSuffix(#"{"status":"ok"}"#))
            let byHost = try await curl(["-w", "\n%{http_code}", "-H", "Host: \(gw.apiId).execute-api.localhost",
                                         "http://127.0.0.1:\(gw.port)/prod/health"])
            #expect(statusAndBody(byHost.stdout) == (200, #"{"status":"ok"}"#))
        }
    }

    @Test func unknownRoutesAreMissingAuthenticationToken() async throws {
        try await withGateway { gw, _ in
            for url in [gw.url("/pets", stage: "nostage"), "http://127.0.0.1:\(gw.port)/", "http://127.0.0.1:\(gw.port)/restapis/nope/prod/_user_request_/pets"] {
                let result = try await curl(["-i", url])
                #expect(result.stdout.hasPrefix("HTTP/1.1 403"), "\(url)")
                #expect(result.stdout.hasSuffix(#"{"message":"Missing Authentication Token"}"#))
            }
            // /health exists with GET only: DELETE does not fall through to {proxy+}.
            let wrongVerb = try await curl(["-w", "\n%{http_code}", "-X", "DELETE", gw.url("/health")])
            #expect(statusAndBody(wrongVerb.stdout).0 == 403)
        }
    }

    @Test func refusedBackendIs502AndSlowBackendIs504WithinTheTimeout() async throws {
        // A port nothing listens on: bind one, note it, close it.
        let closedPort = try await BackendProcess()
        let deadPort = closedPort.port
        closedPort.stop()
        _ = try await closedPort.child.waitForExit()  // its socket is closed once the process is gone
        try await withGateway(prepare: { store, apiId in
            try store.deploy(apiId: apiId, stageName: "down", description: nil, variables: ["backend": "127.0.0.1:\(deadPort)"],
                             actor: Actor(name: "t", source: "t"))
        }) { gw, _ in
            // Timed by curl (a loaded test process can take a while just to start it).
            let refusedCall = try await curl(["-i", "-w", "\n%{time_total}", gw.url("/pets", stage: "down")])
            var refusedLines = refusedCall.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            let refusedSeconds = refusedLines.popLast().flatMap { Double($0) } ?? .infinity
            let refused = refusedLines.joined(separator: "\n")
            #expect(refused.hasPrefix("HTTP/1.1 502"))
            #expect(refusedSeconds < 1, "a refused connection is reported at once, not retried: \(refusedSeconds) s")
            #expect(refused.hasSuffix(#"{"message":"Internal server error"}"#))
            let started = Date()
            // The method's timeout is 1000 ms; the backend would take 20 s. A loaded machine answers late, never 20 s late.
            let slow = try await curl(["-i", gw.url("/slow?ms=20000")])
            let elapsed = Date().timeIntervalSince(started)
            #expect(slow.stdout.hasPrefix("HTTP/1.1 504"))
            #expect(slow.stdout.hasSuffix(#"{"message":"Endpoint request timed out"}"#))
            #expect(elapsed >= 0.9 && elapsed < 8, "answered after \(elapsed) s")
            let fast = try await curl(["-w", "\n%{http_code}", gw.url("/slow?ms=50")])
            #expect(statusAndBody(fast.stdout).0 == 200)
        }
    }

    /// One timer per upstream connection watches its calls: a call on a reused connection times out at its
    /// own deadline, not at the one the timer was armed for by the call before it.
    @Test func aCallOnAReusedConnectionTimesOutAtItsOwnDeadline() async throws {
        try await withGateway(configure: { $0.threads = 1 }) { gw, _ in
            let first = try await curl(["-w", "\n%{http_code}", gw.url("/slow?ms=600")])  // under the 1000 ms timeout
            #expect(statusAndBody(first.stdout).0 == 200)
            let started = Date()
            let slow = try await curl(["-i", gw.url("/slow?ms=20000")])
            let elapsed = Date().timeIntervalSince(started)
            #expect(slow.stdout.hasPrefix("HTTP/1.1 504"))
            // At its own 1 s deadline (never the backend's 20 s), however loaded the machine.
            #expect(elapsed >= 0.9 && elapsed < 8, "answered after \(elapsed) s (the first call's deadline was 0.4 s into this one)")
        }
    }

    @Test func responseBodiesStreamThrough() async throws {
        try await withGateway { gw, _ in
            let result = try await curl(["-o", "/dev/null", "-w", "%{time_starttransfer} %{time_total} %{size_download}",
                                         gw.url("/stream?chunks=3&delay=800")])
            let numbers = result.stdout.split(separator: " ").compactMap { Double($0) }
            try #require(numbers.count == 3)
            // Chunks leave the backend 0, 0.8 and 1.6 s in: the first must reach the client long before the last.
            #expect(numbers[1] > 1.5)
            #expect(numbers[1] - numbers[0] > 1.0, "first byte after \(numbers[0]) s of \(numbers[1]) s: the body was buffered")
            #expect(numbers[2] > 0)
        }
    }
}
