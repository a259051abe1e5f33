import Foundation
import GatehouseCore
import GatehouseDemo
import GatehouseStore
import Testing

/// The console as an operator uses it: under tmux, on a real store with a real worker and backend.
@Suite struct ConsoleTmuxTests {
    /// tmux driven through `system()`: Foundation's `Process` starts children in a new session, where a
    /// tmux client never returns, so these calls go through the shell as a user's would.
    final class Tmux: Sendable {
        let socket = "gh-\(UUID().uuidString.prefix(8))"

        func run(_ arguments: [String]) async throws -> String {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).out").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            let quoted = (["tmux", "-L", socket] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            let status = system(quoted.joined(separator: " ") + " > '\(output)' 2>&1 < /dev/null")
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if status != 0 && arguments.first != "kill-server" { throw TestFailure("tmux \(arguments.first ?? "") failed: \(text)") }
            return text
        }

        func screen() async throws -> String { try await run(["capture-pane", "-p", "-t", "t"]) }

        func send(_ keys: String...) async throws { _ = try await run(["send-keys", "-t", "t"] + keys) }

        /// Waits until the screen satisfies `condition`.
        @discardableResult
        func waitFor(_ what: String, timeout: Double = 10, _ condition: (String) -> Bool) async throws -> String {
            let deadline = Date().addingTimeInterval(timeout)
            var last = ""
            while Date() < deadline {
                last = try await screen()
                if condition(last) { return last }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TestFailure("timed out waiting for \(what); screen:\n\(last)")
        }

        func kill() async { _ = try? await run(["kill-server"]) }
    }

    @Test func navigateEditAThrottleLiveResizeAndQuitCleanly() async throws {
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let dir = try TempDir()
        defer { dir.remove() }
        let db = dir.path("g.db")
        let spec = dir.path("api.yaml")
        try SampleAPI.openAPI.write(toFile: spec, atomically: true, encoding: .utf8)
        let apiId = try await gatehouse("import", spec, "--store", db).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod", "--var", "backend=127.0.0.1:\(backend.port)")
        let worker = try ChildProcess(Binary.gatehouse, ["serve", "--store", db, "--listen", "127.0.0.1:0", "--log-level", "warning"])
        defer { worker.signal(SIGKILL) }
        let line = try await worker.line(containing: "serving")
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0) })
        let health = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_/health"
        for _ in 0..<5 { _ = try await curl([health]) }

        let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Themes").path
        let tmux = Tmux()
        defer { Task { await tmux.kill() } }
        _ = try await tmux.run(["new-session", "-d", "-s", "t", "-x", "120", "-y", "40", "-e", "LANG=C.UTF-8", "-e", "GATEHOUSE_THEMES=\(themes)",
                                "\(Binary.gatehouse) console --store \(db) --operator tester --refresh 0.5; echo CONSOLE-EXITED $?; sleep 60"])
        try await tmux.waitFor("the overview with a live worker") { $0.contains("worker up") && $0.contains("PetStore Demo") }

        for (key, title) in [("2", "APIs"), ("3", "Logs"), ("4", "Charts"), ("5", "Alarms"), ("6", "Throttles"), ("7", "Keys"),
                             ("8", "Deploys"), ("9", "Audit"), ("1", "Overview")] {
            try await tmux.send(key)
            try await tmux.waitFor("view \(title)") { screen in
                screen.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).first?.hasPrefix(" \(title)") == true
            }
        }
        let logs = try await { try await tmux.send("3"); return try await tmux.waitFor("log rows") { $0.contains("/health") } }()
        #expect(logs.contains("200"))

        // Throttle GET /health to 1 rps / burst 1 from the APIs view, through the form and its confirmation.
        try await tmux.send("2")
        try await tmux.send("/", "h", "e", "a", "l", "t", "h", "Enter")
        try await tmux.waitFor("the filtered tree") { $0.contains(" /health ") && $0.contains("MOCK") }
        try await tmux.send("e")
        try await tmux.waitFor("the form") { $0.contains("Edit throttle") && $0.contains("over the last hour") }
        try await tmux.send("BSpace", "BSpace", "BSpace", "1", "Tab", "BSpace", "BSpace", "BSpace", "1", "Enter")
        try await tmux.waitFor("the confirmation") { $0.contains("Confirm") && $0.contains("1 rps / burst 1") }
        try await tmux.send("y")
        try await tmux.waitFor("the save") { $0.contains("saved:") }

        // The worker enforces it within a second.
        try await Task.sleep(for: .milliseconds(1200))
        var statuses: [Int] = []
        for _ in 0..<3 { statuses.append(statusAndBody(try await curl(["-w", "\n%{http_code}", health]).stdout).0) }
        #expect(statuses == [200, 429, 429])
        let audit = try Store(path: db, create: false).auditLog(limit: 5)
        #expect(audit.first?.operatorName == "tester")
        #expect(audit.first?.source == "console")

        // Resize: the next frame fits the new size.
        _ = try await tmux.run(["resize-window", "-t", "t", "-x", "80", "-y", "24"])
        let small = try await tmux.waitFor("an 80×24 frame") { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 24 && lines[1].contains("1 Overview") && !lines[1].contains("9 Audit")
        }
        #expect(small.contains("APIs"))

        // q clears the filter, q quits; the terminal is handed back clean.
        try await tmux.send("q")
        try await tmux.send("q")
        let after = try await tmux.waitFor("the exit") { $0.contains("CONSOLE-EXITED 0") }
        #expect(!after.contains("worker up"))
        #expect(!after.contains("1 Overview"))
    }

    @Test func demoOpensTheConsoleAndQuittingStopsEverything() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let tmux = Tmux()
        defer { Task { await tmux.kill() } }
        _ = try await tmux.run(["new-session", "-d", "-s", "t", "-x", "120", "-y", "40", "-e", "LANG=C.UTF-8",
                                "\(Binary.gatehouse) demo --store \(dir.path("demo.db")); echo DEMO-EXITED $?; sleep 60"])
        try await tmux.waitFor("the console on live demo traffic", timeout: 15) { screen in
            screen.contains("worker up") && screen.contains("PetStore Demo") && !screen.contains("req/s 0 ")
        }
        try await tmux.send("q")
        let after = try await tmux.waitFor("the demo to stop", timeout: 20) { $0.contains("DEMO-EXITED 0") }
        #expect(after.contains("stopped: "))
        #expect(!after.contains("1 Overview"))
        let worker = try #require(try Store(path: dir.path("demo.db"), create: false).workers().first)
        #expect(worker.state == "stopped")
    }
}
