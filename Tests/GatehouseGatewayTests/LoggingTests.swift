import Foundation
import GatehouseCore
import GatehouseStore
import Testing

/// Stage logging on a real worker: a CLF file that GoAccess reads, JSON lines, rotation, execution logs.
@Suite struct LoggingTests {
    /// Applies a logging change with the CLI and waits until the worker serves it.
    func set(_ gw: GatewayHarness, _ arguments: [String]) async throws {
        let before = gw.gateway.configurationVersion
        let result = try await run(Binary.gatehouse, ["logging", "set", "--store", gw.store.path, "--api", gw.apiId, "--stage", "prod"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        // Picked up at the next poll; the bound is generous because the whole suite shares two cores.
        try await waitUntil("the worker to pick up the logging change", timeout: 30) { gw.gateway.configurationVersion != before }
    }

    @Test func clfFileIsReadByGoAccessWithTheRightHitCount() async throws {
        try await withGateway { gw, _ in
            let file = gw.dir.path("access.log")
            try await set(gw, ["--access-format", "clf", "--access-file", file])
            let paths = ["/pets", "/pets/3", "/pets/999", "/health", "/flaky", "/echo/x?q=1", "/pets", "/health"]
            for path in paths { _ = try await curl([gw.url(path)]) }
            try await waitUntil("the CLF lines") {
                ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").count == paths.count
            }
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.contains(#""GET /pets/999 HTTP/1.1" 404"#))
            let report = gw.dir.path("report.json")
            let goaccess = try await run("/usr/bin/env", ["goaccess", file, "--log-format=COMMON", "--no-global-config", "-o", report])
            #expect(goaccess.status == 0, "\(goaccess.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any])
            let general = try #require(json["general"] as? [String: Any])
            #expect(general["total_requests"] as? Int == paths.count)
            #expect(general["failed_requests"] as? Int == 0)
            let tail = try await gatehouse("logging", "tail", "--store", gw.store.path, "--api", gw.apiId, "--stage", "prod", "--limit", "3")
            #expect(tail.stdout.split(separator: "\n").count == 3, "the formatted lines are in the store too")
        }
    }

    @Test func jsonLinesRotateBySize() async throws {
        try await withGateway { gw, _ in
            let file = gw.dir.path("access.jsonl")
            try await set(gw, ["--access-format", "json", "--access-file", file, "--max-bytes", "2048", "--keep", "2"])
            for _ in 0..<30 { _ = try await curl([gw.url("/health")]) }
            try await waitUntil("rotation") { FileManager.default.fileExists(atPath: file + ".1") }
            try await Task.sleep(for: .milliseconds(400))
            var lines: [String] = []
            for name in [file + ".2", file + ".1", file] where FileManager.default.fileExists(atPath: name) {
                let size = try #require(try FileManager.default.attributesOfItem(atPath: name)[.size] as? Int)
                #expect(size <= 2048 + 600, "\(name) is \(size) bytes")
                lines += try String(contentsOfFile: name, encoding: .utf8).split(separator: "\n").map(String.init)
            }
            #expect(!FileManager.default.fileExists(atPath: file + ".3"), "only --keep rotated files are kept")
            for line in lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
                #expect(object["status"] == "200")
                #expect(object["resourcePath"] == "/health")
            }
            #expect(lines.count > 5)
        }
    }

    @Test func executionLogsRedactAndErrorLevelLogsOnlyFailures() async throws {
        try await withGateway { gw, _ in
            try await set(gw, ["--level", "INFO", "--data-trace"])
            let traced = try await curl(["-i", "-X", "POST", gw.url("/pets"), "-H", "Authorization: Bearer top-secret-token",
                                         "-H", "x-api-key: key-123", "-H", "Content-Type: application/json", "--data", #"{"type":"cat"}"#])
            let requestId = try #require(traced.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-amzn-requestid:") }?
                .split(separator: " ").last.map(String.init))
            try await waitUntil("the execution log") { try !gw.store.executionLog(requestId: requestId).isEmpty }
            let lines = try gw.store.executionLog(requestId: requestId)
            let all = lines.joined(separator: "\n")
            #expect(lines.first == "Starting execution for request: \(requestId)")
            #expect(lines.last == "Method completed with status: 201")
            #expect(all.contains("Endpoint request URI: POST http://127.0.0.1:"))
            #expect(all.contains(#"Method request body before transformations: {"type":"cat"}"#))
            #expect(all.contains("Authorization=*** (redacted)"))
            #expect(!all.contains("top-secret-token") && !all.contains("key-123"))
            let endpointHeaders = try #require(lines.first { $0.hasPrefix("Endpoint request headers: ") }, "\(all)")
            #expect(endpointHeaders.contains("X-Forwarded-For=127.0.0.1"), "the headers as sent, after the gateway's own: \(endpointHeaders)")
            #expect(endpointHeaders.contains("Authorization=*** (redacted)"), "\(endpointHeaders)")
            #expect(all.contains(#"Endpoint request body after transformations: {"type":"cat"}"#))

            // After mapping: the mapped path and the header set from the context.
            let mapped = try await curl(["-i", gw.url("/pets/7")])
            let mappedId = try #require(mapped.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-amzn-requestid:") }?
                .split(separator: " ").last.map(String.init))
            try await waitUntil("the mapped call's execution log") { try !gw.store.executionLog(requestId: mappedId).isEmpty }
            let mappedLines = try gw.store.executionLog(requestId: mappedId)
            #expect(mappedLines.contains { $0.hasPrefix("Endpoint request URI: GET http://127.0.0.1:") && $0.hasSuffix("/pets/7") }, "\(mappedLines)")
            #expect(mappedLines.contains { $0.hasPrefix("Endpoint request headers: ") && $0.contains("X-Stage=prod") }, "\(mappedLines)")

            try await set(gw, ["--level", "ERROR", "--no-data-trace"])
            let ok = try await curl(["-i", gw.url("/health")])
            let failed = try await curl(["-i", gw.url("/flaky")])
            func id(_ text: String) -> String? {
                text.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-amzn-requestid:") }?.split(separator: " ").last.map(String.init)
            }
            let failedId = try #require(id(failed.stdout)), okId = try #require(id(ok.stdout))
            try await waitUntil("the error's execution log") { try !gw.store.executionLog(requestId: failedId).isEmpty }
            #expect(try gw.store.executionLog(requestId: okId).isEmpty, "ERROR level logs only failed calls")
            let cli = try await gatehouse("logging", "execution", failedId, "--store", gw.store.path)
            #expect(cli.stdout.contains("Method completed with status: 500"))
        }
    }
}
