import Foundation
import GatehouseCore
import Testing

@Suite struct HardeningTests {
    @Test func malformedRequestIs400AndTheWorkerCarriesOn() async throws {
        try await withGateway { gw, _ in
            let garbage = try await rawExchange(port: gw.port, bytes: "THIS IS NOT HTTP\r\n\r\n")
            #expect(garbage.response.hasPrefix("HTTP/1.1 400"))
            let badHeader = try await rawExchange(port: gw.port, bytes: "GET / HTTP/1.1\r\nHost x\r\n\r\n")
            #expect(badHeader.response.hasPrefix("HTTP/1.1 400"))
            #expect(statusAndBody(try await curl(["-w", "\n%{http_code}", gw.url("/health")]).stdout).0 == 200)
        }
    }

    @Test func oversizedHeadersAre431() async throws {
        try await withGateway { gw, _ in
            let big = String(repeating: "x", count: 17 * 1024)
            let result = try await curl(["-w", "\n%{http_code}", "-H", "X-Big: \(big)", gw.url("/health")])
            #expect(statusAndBody(result.stdout).0 == 431)
            let fine = String(repeating: "x", count: 8 * 1024)
            #expect(statusAndBody(try await curl(["-w", "\n%{http_code}", "-H", "X-Big: \(fine)", gw.url("/health")]).stdout).0 == 200)
        }
    }

    @Test func oversizedBodiesAre413WithOrWithoutALength() async throws {
        try await withGateway(configure: { $0.maxBodyBytes = 1024 }) { gw, _ in
            let file = gw.dir.path("body.bin")
            try Data(repeating: 65, count: 4096).write(to: URL(fileURLWithPath: file))
            let withLength = try await curl(["-w", "\n%{http_code}", "--data-binary", "@\(file)", gw.url("/pets")])
            #expect(statusAndBody(withLength.stdout) == (413, #"{"message":"Request Too Long"}"#))
            let chunked = try await curl(["-w", "\n%{http_code}", "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(file)", gw.url("/pets")])
            #expect(statusAndBody(chunked.stdout).0 == 413)
            let small = try await curl(["-w", "\n%{http_code}", "--data-binary", "{\"ok\":1}", "-H", "Content-Type: application/json", gw.url("/pets")])
            #expect(statusAndBody(small.stdout) == (201, "{\"ok\":1}"))
        }
    }

    @Test func slowHeadersAndIdleConnectionsAreClosed() async throws {
        try await withGateway(configure: {
            $0.headerReadTimeout = 0.5
            $0.idleTimeout = 20
        }) { gw, _ in
            // Both at once: the half-sent head is cut by the header timer, long before the idle connection is.
            // Timed from when the bytes went out (a loaded machine may delay the client's write by seconds).
            async let slowloris = rawExchangeTimed(port: gw.port, bytes: "GET /x HTTP/1.1\r\nHost: a\r\n", timeout: 30)
            async let idle = rawExchangeTimed(port: gw.port, bytes: "", timeout: 30)
            let (cut, quiet) = try await (slowloris, idle)
            #expect(cut.response.isEmpty, "closed, not answered: \(cut.response)")
            #expect(quiet.response.isEmpty, "closed, not answered: \(quiet.response)")
            #expect(cut.closedInSeconds - cut.sentInSeconds < 15, "header timer (the exact timing is HandlerTests' on virtual time): sent at \(cut.sentInSeconds) s, cut at \(cut.closedInSeconds) s")
            #expect(cut.closedInSeconds < quiet.closedInSeconds, "header timer \(cut.closedInSeconds) s, idle \(quiet.closedInSeconds) s")
            #expect(quiet.closedInSeconds >= 19.9, "not before the idle timeout: \(quiet.closedInSeconds) s")
        }
    }
}

@Suite struct ProxyFramingTests {
    @Test func headThroughTheProxyHasNoBodyAndTheBackendConnectionStaysInStep() async throws {
        try await withGateway { gw, _ in
            // Two HEADs on one client connection, then GETs that reuse the backend connections: a decoder that
            // expected a body after a HEAD's response would swallow the next response or hang.
            let heads = try await curl(["-s", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code} %{size_download}\n", "--head",
                                        gw.url("/status/200"), gw.url("/status/200")])
            #expect(heads.stdout == "200 0\n200 0\n", "\(heads.stdout) \(heads.stderr)")
            for _ in 0..<3 {
                let get = try await curl(["-w", "\n%{http_code}", gw.url("/status/201")])
                #expect(statusAndBody(get.stdout) == (201, #"{"status":201}"#))
            }
        }
    }
}

@Suite struct UploadTests {
    @Test func largeUploadsStreamThroughIntactWithAndWithoutALength() async throws {
        try await withGateway { gw, _ in
            let file = gw.dir.path("upload.txt")
            let block = String((0..<1024).map { _ in Character(UnicodeScalar(UInt8.random(in: 97...122))) })
            let payload = String(repeating: block, count: 3 * 1024)
            try payload.write(toFile: file, atomically: true, encoding: .utf8)
            for extra in [[String](), ["-H", "Transfer-Encoding: chunked"]] {
                let result = try await curl(["-X", "PUT", "--data-binary", "@\(file)", "-H", "Content-Type: text/plain"] + extra + [gw.url("/echo/upload")])
                let parsed = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
                let echo = try #require(parsed as? [String: Any], "status \(result.status), \(result.stdout.count) bytes: \(result.stdout.prefix(300)) \(result.stderr)")
                #expect((echo["body"] as? String) == payload, "the backend got the whole body (\(extra))")
            }
            try await waitUntil("the upload's access-log row") {
                try gw.store.accessLog(after: 0, limit: 10).contains { $0.record.requestBytes == payload.utf8.count }
            }
        }
    }
}
