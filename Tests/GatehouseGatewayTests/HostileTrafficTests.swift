import Foundation
import GatehouseCore
@testable import GatehouseGateway
import NIOCore
import NIOPosix
import Testing

/// Traffic a public endpoint receives: smuggling attempts, malformed heads, pipelining, floods of
/// connections. After each attack the worker must still answer a normal call.
@Suite struct HostileRequestTests {
    func healthy(_ gw: GatewayHarness) async throws -> Bool {
        statusAndBody(try await curl(["-w", "\n%{http_code}", gw.url("/health")]).stdout).0 == 200
    }

    @Test func smugglingAndMalformedHeadsAreRefusedAndTheWorkerCarriesOn() async throws {
        try await withGateway(configure: { $0.maxURIBytes = 2048 }) { gw, _ in
            let path = "/restapis/\(gw.apiId)/prod/_user_request_/health"
            let pets = "/restapis/\(gw.apiId)/prod/_user_request_/pets"
            let post = "POST \(pets) HTTP/1.1\r\nHost: a\r\n"
            let cases: [(name: String, raw: String, status: String)] = [
                ("Content-Length then Transfer-Encoding", post + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400"),
                ("Transfer-Encoding then Content-Length", post + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", "400"),
                ("conflicting Content-Length", post + "Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcde", "400"),
                ("duplicate Content-Length", post + "Content-Length: 4\r\nContent-Length: 4\r\n\r\nabcd", "400"),
                ("bad chunk size", "POST \(pets) HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", "400"),
                ("last coding not chunked", post + "Transfer-Encoding: chunked, gzip\r\n\r\nabc", "400"),
                ("obs-fold", "GET \(path) HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n", "400"),
                ("NUL in a header name", "GET \(path) HTTP/1.1\r\nHost: a\r\nX-\u{0}A: b\r\n\r\n", "400"),
                ("space in a header name", "GET \(path) HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n", "400"),
                ("space before the colon", "GET \(path) HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n", "400"),
                ("HTTP/1.1 without Host", "GET \(path) HTTP/1.1\r\nAccept: */*\r\n\r\n", "400"),
                ("two Host headers", "GET \(path) HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400"),
                ("unknown version 1.2", "GET \(path) HTTP/1.2\r\nHost: a\r\n\r\n", "400"),
                ("unknown version 3.0", "GET \(path) HTTP/3.0\r\nHost: a\r\n\r\n", "400"),
                ("HTTP/2.0 in an HTTP/1 request line", "GET \(path) HTTP/2.0\r\nHost: a\r\n\r\n", "400"),
                ("request line past the limit", "GET \(path)?q=\(String(repeating: "a", count: 3000)) HTTP/1.1\r\nHost: a\r\n\r\n", "414"),
            ]
            for item in cases {
                let result = try await rawExchange(port: gw.port, bytes: item.raw)
                let statusLine = result.response.split(separator: "\r\n").first.map(String.init) ?? "<nothing>"
                #expect(statusLine.hasPrefix("HTTP/1.1 \(item.status)") || statusLine.hasPrefix("HTTP/1.0 \(item.status)"),
                        "\(item.name): \(statusLine)")
                #expect(!result.response.contains("still open"), "\(item.name): the connection is closed after the refusal")
                #expect(try await healthy(gw), "a normal call right after: \(item.name)")
            }
            // HTTP/1.0 without Host is still fine.
            let old = try await rawExchange(port: gw.port, bytes: "GET \(path) HTTP/1.0\r\n\r\n")
            #expect(old.response.hasPrefix("HTTP/1.0 200"), "\(old.response.prefix(60))")
        }
    }

    @Test func fiftyPipelinedRequestsAreAnsweredInOrder() async throws {
        try await withGateway { gw, _ in
            let base = "/restapis/\(gw.apiId)/prod/_user_request_/echo"
            var raw = ""
            for n in 0..<50 {
                raw += "GET \(base)/n\(n) HTTP/1.1\r\nHost: a\r\n\(n == 49 ? "Connection: close\r\n" : "")\r\n"
            }
            let result = try await rawExchange(port: gw.port, bytes: raw, timeout: 20)
            let statuses = result.response.components(separatedBy: "HTTP/1.1 200").count - 1
            #expect(statuses == 50)
            var cursor = result.response.startIndex
            for n in 0..<50 {
                guard let found = result.response.range(of: "n\(n)\"", range: cursor..<result.response.endIndex) else {
                    Issue.record("answer \(n) missing or out of order")
                    break
                }
                cursor = found.upperBound
            }
        }
    }

    /// Holds TCP connections open to a port: 5,000 at start, 100 more on SIGUSR1, 200 fewer on SIGUSR2; each step
    /// prints how many it holds. A process of its own (as the worker is): ten thousand descriptors in the test
    /// process would leave the other tests' in-process workers unable to accept (EMFILE) while this one runs.
    static let holder = """
        import os, resource, signal, socket, sys, time
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 6000), hard), hard))
        port, held, todo = int(sys.argv[1]), [], []
        def open_(n):
            for _ in range(n):
                s = socket.create_connection(("127.0.0.1", port)); held.append(s)
        signal.signal(signal.SIGUSR1, lambda *_: todo.append("more"))
        signal.signal(signal.SIGUSR2, lambda *_: todo.append("fewer"))
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1, signal.SIGUSR2})  # the test process may block them
        open_(5000); print("holding", len(held), flush=True)
        while True:
            while todo:
                step = todo.pop(0)
                if step == "more": open_(100)
                else:
                    for s in held[-200:]: s.close()
                    del held[-200:]
                print(step, "holding", len(held), flush=True)
            time.sleep(0.02)
        """

    @Test func fiveThousandConnectionsLeaveRoomForANormalCallAndTheCapRefusesClearly() async throws {
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, backend: "127.0.0.1:\(backend.port)")
        let (worker, port) = try await startWorker(db, admin: true, arguments: ["--max-connections", "5100"])
        defer { worker.signal(SIGKILL) }
        let adminLine = try await worker.line(containing: "admin on")
        guard let metricsURL = adminLine.split(separator: " ").last.map(String.init) else { throw TestFailure("no admin URL in \(adminLine)") }
        @Sendable func open() async throws -> Double {
            let text = try await curl([metricsURL]).stdout
            return text.split(separator: "\n").first { $0.hasPrefix("gatehouse_open_connections ") }?
                .split(separator: " ").last.flatMap { Double($0) } ?? -1
        }
        let health = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_/health"
        let script = dir.path("holder.py")
        try Self.holder.write(toFile: script, atomically: true, encoding: .utf8)
        let holder = try ChildProcess("/usr/bin/env", ["python3", script, String(port)])
        defer { holder.signal(SIGKILL) }
        _ = try await holder.line(containing: "holding 5000", timeout: 60)
        try await waitUntilAsync("5,000 connections accepted", timeout: 30) { try await open() >= 5_000 }
        let started = Date()
        #expect(statusAndBody(try await curl(["-w", "\n%{http_code}", health]).stdout).0 == 200)
        #expect(Date().timeIntervalSince(started) < 2, "a normal call took \(Date().timeIntervalSince(started)) s")
        holder.signal(SIGUSR1)
        _ = try await holder.line(containing: "more holding 5100", timeout: 30)
        try await waitUntilAsync("the cap reached", timeout: 30) { try await open() >= 5_100 }
        let (status, body) = statusAndBody(try await curl(["-w", "\n%{http_code}", health]).stdout)
        #expect(status == 503)
        #expect(body.contains("--max-connections"))
        holder.signal(SIGUSR2)
        _ = try await holder.line(containing: "fewer holding 4900", timeout: 30)
        try await waitUntilAsync("room again", timeout: 10) { try await open() < 5_000 }
        #expect(statusAndBody(try await curl(["-w", "\n%{http_code}", health]).stdout).0 == 200)
        #expect(!worker.stdout.contains("note: --max-connections"), "the worker raised its file limit: \(worker.stdout)")
    }
}

/// Backends that misbehave: the client gets a clear answer or a cut connection, never a hang.
@Suite struct HostileBackendTests {
    func withBackend(_ script: [ScriptedBackend.Step], _ body: (GatewayHarness) async throws -> Void) async throws {
        try await withBackend(script) { gw, _ in try await body(gw) }
    }

    func withBackend(_ script: [ScriptedBackend.Step], _ body: (GatewayHarness, ScriptedBackend) async throws -> Void) async throws {
        let backend = try await ScriptedBackend(script)
        let gw = try await GatewayHarness.start(backendPort: backend.port)
        do {
            try await body(gw, backend)
        } catch {
            try? await gw.stop()
            await backend.stop()
            throw error
        }
        try await gw.stop()
        await backend.stop()
    }

    @Test func aBrokenStatusLineIs502() async throws {
        try await withBackend([.send("HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n"), .close]) { gw in
            let result = try await curl(["-w", "\n%{http_code}", gw.url("/pets")])
            #expect(statusAndBody(result.stdout).0 == 502)
            try await waitUntil("the failure logged") { try gw.store.accessLog(after: 0, limit: 10).contains { $0.record.status == 502 } }
            let row = try #require(try gw.store.accessLog(after: 0, limit: 10).first { $0.record.status == 502 })
            #expect(row.record.error?.hasPrefix("INTEGRATION_FAILURE") == true)
        }
    }

    @Test func aResetInTheMiddleOfTheBodyCutsTheClientsConnection() async throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n"
        try await withBackend([.send(head + String(repeating: "x", count: 1000)), .pause(0.2), .close]) { gw, backend in
            let result = try await curl(["--max-time", "40", "-o", "/dev/null", "-w",
                                         "%{http_code} %{size_download} %{time_connect} %{time_starttransfer} %{time_total}", gw.url("/pets")])
            #expect(result.status != 0, "curl sees a cut transfer (exit \(result.status)), not a complete one")
            #expect(result.stdout.hasPrefix("200 1000 "), "\(result.stdout)")
            // Timed by curl itself, from the first byte of the answer to the cut: the backend closes 0.2 s after it,
            // and the gateway must notice that close, not wait out the route's 5 s integration timeout.
            let times = result.stdout.split(separator: " ").compactMap { Double($0) }
            let afterFirstByte = times.count == 5 ? times[4] - times[3] : .infinity
            let played = backend.played.withLockedValue { $0.joined(separator: " ") }
            #expect(afterFirstByte < 4, "cut \(afterFirstByte) s after the first byte (connect, first byte, total: \(times.suffix(3))); the backend played \(played)")
            try await waitUntil("the cut logged") {
                try gw.store.accessLog(after: 0, limit: 10).contains { $0.record.error?.contains("INTEGRATION_FAILURE") == true }
            }
            let row = try #require(try gw.store.accessLog(after: 0, limit: 10).first { $0.record.error != nil })
            #expect(row.record.error?.contains("closed the connection in the middle of its response") == true, "\(row.record.error ?? "")")
        }
    }

    @Test func theBackendsHopByHopFieldsStayOnItsConnection() async throws {
        let reply = "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Internal\r\nX-Internal: secret\r\nKeep-Alive: timeout=5\r\n"
            + "X-Kept: yes\r\nContent-Length: 2\r\n\r\nok"
        try await withBackend([.send(reply), .close]) { gw in
            let result = try await curl(["-i", gw.url("/pets")])
            let head = result.stdout.lowercased()
            #expect(head.hasPrefix("http/1.1 200") && head.hasSuffix("\r\n\r\nok"), "\(result.stdout)")
            #expect(head.contains("x-kept: yes\r\n") && head.contains("content-length: 2\r\n"), "\(result.stdout)")
            #expect(!head.contains("x-internal") && !head.contains("keep-alive"), "named in Connection, or hop-by-hop: \(result.stdout)")
        }
    }

    @Test func aTricklingBodyStreamsThroughWhole() async throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 50\r\n\r\n"
        var script: [ScriptedBackend.Step] = [.send(head)]
        for n in 0..<5 { script += [.pause(0.2), .send(String(repeating: "\(n)", count: 10))] }
        try await withBackend(script) { gw in
            let result = try await curl(["-w", "\n%{http_code}", gw.url("/pets")])
            #expect(statusAndBody(result.stdout) == (200, "00000000001111111111222222222233333333334444444444"))
        }
    }

    @Test func aBodyWithoutALengthIsChunkedTo11ClientsAndEndsTheConnectionFor10() async throws {
        let reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        try await withBackend([.send(reply), .close]) { gw in
            let path = "/restapis/\(gw.apiId)/prod/_user_request_/pets"
            let result = try await curl(["-w", "\n%{http_code}", gw.url("/pets")])
            #expect(statusAndBody(result.stdout) == (200, "hello world"))
            let http11 = try await rawExchange(port: gw.port, bytes: "GET \(path) HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            #expect(http11.response.lowercased().contains("transfer-encoding: chunked\r\n"), "\(http11.response)")
            #expect(http11.response.hasSuffix("\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), "\(http11.response)")
            let http10 = try await rawExchange(port: gw.port, bytes: "GET \(path) HTTP/1.0\r\n\r\n")
            #expect(http10.response.hasPrefix("HTTP/1.0 200"), "\(http10.response)")
            #expect(!http10.response.lowercased().contains("transfer-encoding"), "\(http10.response)")
            #expect(http10.response.hasSuffix("\r\n\r\nhello world"), "the end of the connection ends the body: \(http10.response)")
        }
    }

    @Test func aBackendThatNeverAnswersIs504AtTheIntegrationTimeout() async throws {
        try await withBackend([.pause(60)]) { gw in
            let result = try await curl(["--max-time", "40", "-w", "\n%{time_total}\n%{http_code}", gw.url("/pets")])
            let lines = result.stdout.split(separator: "\n")
            let elapsed = lines.dropLast().last.flatMap { Double($0) } ?? .infinity
            #expect(statusAndBody(result.stdout).0 == 504)
            // GET /pets has a 5000 ms integration timeout in the sample API: not before it, and not much after.
            #expect(elapsed >= 4.9 && elapsed < 8, "answered after \(elapsed) s (curl's clock)")
        }
    }
}
