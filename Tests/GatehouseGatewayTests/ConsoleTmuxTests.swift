import Foundation
import GatehouseCore
import GatehouseDemo
import GatehouseStore
import Testing

/// The console as an operator uses it: under tmux, on a real store with a real worker and backend.
@Suite struct ConsoleTmuxTests {
    /// tmux driven as a user's shell would: `Spawn` starts it in this session (Foundation's `Process` starts
    /// children in a new one, where a tmux client never returns) without handing it this process's sockets.
    final class Tmux: Sendable {
        let socket = "gh-\(UUID().uuidString.prefix(8))"

        func run(_ arguments: [String]) async throws -> String {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).out").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            let status = await Spawn.run(["tmux", "-L", socket] + arguments, output: output)
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if status != 0 && arguments.first != "kill-server" { throw TestFailure("tmux \(arguments.first ?? "") failed (status \(status)): \(text)") }
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
                try await Task.sleep(for: .milliseconds(200))
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
        let (db, apiId) = try await sampleStore(dir, backend: "127.0.0.1:\(backend.port)")
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
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

        // Throttle GET /health to 0.1 rps / burst 1 from the APIs view, through the form and its confirmation (a token
        // comes back only every 10 s, so the 429s below do not depend on how fast curl starts).
        try await tmux.send("2")
        try await tmux.send("/", "h", "e", "a", "l", "t", "h", "Enter")
        try await tmux.waitFor("the filtered tree") { $0.contains(" /health ") && $0.contains("MOCK") }
        try await tmux.send("e")
        try await tmux.waitFor("the form and its replay", timeout: 25) { $0.contains("Edit throttle") && $0.contains("would have rejected") && $0.contains("on record") }
        // The form starts from the limit in force; Ctrl-U clears a field.
        try await tmux.send("C-u", "0", ".", "1", "Tab", "C-u", "1", "Enter")
        try await tmux.waitFor("the confirmation") { $0.contains("Confirm") && $0.contains("0.1 rps / burst 1") }
        try await tmux.send("y")
        try await tmux.waitFor("the save") { $0.contains("saved:") }

        // The worker enforces it (how soon is measured in ThrottleAndLiveTests): a 429 comes, and stays.
        let deadline = Date().addingTimeInterval(10)
        var rejected = false
        while !rejected && Date() < deadline {
            rejected = statusAndBody(try await curl(["-w", "\n%{http_code}", health]).stdout).0 == 429
            if !rejected { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(rejected, "the new limit is enforced")
        var statuses: [Int] = []
        for _ in 0..<2 { statuses.append(statusAndBody(try await curl(["-w", "\n%{http_code}", health]).stdout).0) }
        #expect(statuses == [429, 429])
        let audit = try Store(path: db, create: false).auditLog(limit: 5)
        #expect(audit.first?.operatorName == "tester")
        #expect(audit.first?.source == "console")

        // Resize: the next frame fits the new size.
        _ = try await tmux.run(["resize-window", "-t", "t", "-x", "80", "-y", "24"])
        let small = try await tmux.waitFor("an 80×24 frame") { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            // Every view's number, the current one by name (the full names no longer fit).
            return lines.count >= 24 && lines[1].split(separator: " ").contains("9") && lines[1].contains("2 APIs") && !lines[1].contains("9 Audit")
        }
        #expect(small.contains("APIs"))
        let smallLines = small.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(smallLines.contains { $0.contains("/health") && $0.contains("GET") }, "the method stays readable at 80×24: \(small)")
        #expect(smallLines.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }?.contains("q:quit") == true
                || small.contains("esc dismisses"), "the footer keeps q:quit: \(small)")
        _ = try await tmux.run(["resize-window", "-t", "t", "-x", "200", "-y", "60"])
        let large = try await tmux.waitFor("a 200×60 frame") { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 60 && lines[1].contains("9 Audit") && lines[1].contains("1 Overview")
        }
        #expect(large.split(separator: "\n").first?.contains("pid ") == true, "wide, the header has room for pid and address")

        // q clears the filter, q quits; the terminal is handed back clean.
        try await tmux.send("q")
        try await tmux.send("q")
        let after = try await tmux.waitFor("the exit") { $0.contains("CONSOLE-EXITED 0") }
        #expect(!after.contains("worker up"))
        #expect(!after.contains("1 Overview"))
    }

    /// Another process holding the store's write lock (what a long migration or a stuck tool would do).
    func holdWriteLock(_ db: String, seconds: Double, exclusive: Bool = false) async throws -> ChildProcess {
        let script = """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
            if sys.argv[3] == "exclusive":
                c.execute("PRAGMA locking_mode=EXCLUSIVE"); c.execute("BEGIN EXCLUSIVE")
            else:
                c.execute("BEGIN IMMEDIATE")
            c.execute("UPDATE account SET throttle_rate = throttle_rate")
            print("locked", flush=True)
            time.sleep(float(sys.argv[2]))
            c.execute("ROLLBACK")
            """
        let holder = try ChildProcess("/usr/bin/env", ["python3", "-c", script, db, String(seconds), exclusive ? "exclusive" : "immediate"])
        _ = try await holder.line(containing: "locked")
        return holder
    }

    @Test func aSaveAgainstALockedStoreNeverFreezesTheScreenAndItsFailureStays() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, _) = try await sampleStore(dir)
        let tmux = Tmux()
        defer { Task { await tmux.kill() } }
        _ = try await tmux.run(["new-session", "-d", "-s", "t", "-x", "120", "-y", "40", "-e", "LANG=C.UTF-8",
                                "\(Binary.gatehouse) console --store \(db) --refresh 0.5; echo CONSOLE-EXITED $?; sleep 60"])
        try await tmux.waitFor("the overview") { $0.contains("PetStore Demo") }
        // Held for far longer than the busy timeout (10 s) — a loaded machine may take seconds to get to the save —
        // so the save must fail, and say so.
        let holder = try await holdWriteLock(db, seconds: 40)
        defer { holder.signal(SIGKILL) }
        try await tmux.send("6")
        try await tmux.waitFor("Throttles") { $0.contains("SCOPE") && $0.contains("account") }
        try await tmux.send("e")
        try await tmux.waitFor("the form") { $0.contains("Edit throttle") }
        try await tmux.send("C-u", "7", "Enter")
        try await tmux.waitFor("the confirmation") { $0.contains("Confirm") }
        try await tmux.send("y")
        try await tmux.waitFor("the save under way", timeout: 6) { $0.split(separator: "\n").first?.contains("saving…") == true }
        // The screen stays live: another view comes up at once while the save waits for the lock.
        try await tmux.send("2")
        let live = try await tmux.waitFor("the APIs view while saving", timeout: 6) { screen in
            screen.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).first?.hasPrefix(" APIs") == true
        }
        #expect(live.split(separator: "\n").first?.contains("saving…") == true, "still saving: \(live)")
        let failed = try await tmux.waitFor("the failure", timeout: 25) { $0.contains("not saved") }
        #expect(failed.contains("locked"), "the reason: \(failed)")
        #expect(failed.split(separator: "\n").first?.contains("saving…") == false)
        // The result stays through other keys, is listed by :messages, and esc dismisses it.
        try await tmux.send("3")
        let after = try await tmux.waitFor("the Logs view") { screen in
            screen.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).first?.hasPrefix(" Logs") == true
        }
        #expect(after.contains("not saved"), "a failed save does not vanish with the next key")
        try await tmux.send(":", "m", "e", "s", "s", "a", "g", "e", "s", "Enter")
        let listed = try await tmux.waitFor("the messages") { $0.contains("Messages (newest first)") }
        #expect(listed.contains("not saved"))
        try await tmux.send("Escape")
        try await tmux.waitFor("the overlay closed") { !$0.contains("Messages (newest first)") }
        try await tmux.send("Escape")
        try await tmux.waitFor("the message dismissed") { !$0.contains("not saved") && $0.contains("?:help") }
        try await tmux.send("q")
        try await tmux.waitFor("the exit") { $0.contains("CONSOLE-EXITED 0") }
        #expect(try Store(path: db, access: .readOnly).account().throttle.rate != 7, "nothing was half-saved")
    }

    @Test func aStoreLockedAtStartUpShowsThatTheConsoleIsWaiting() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, _) = try await sampleStore(dir)
        // An exclusive lock keeps even readers out. It is held until the waiting screen has been seen (a loaded
        // machine may take seconds to start the console), then the holder dies, as a stuck process would be killed.
        let holder = try await holdWriteLock(db, seconds: 120, exclusive: true)
        defer { holder.signal(SIGKILL) }
        let tmux = Tmux()
        defer { Task { await tmux.kill() } }
        _ = try await tmux.run(["new-session", "-d", "-s", "t", "-x", "120", "-y", "40", "-e", "LANG=C.UTF-8",
                                "\(Binary.gatehouse) console --store \(db) --refresh 0.5; sleep 60"])
        try await tmux.waitFor("the waiting screen", timeout: 20) { $0.contains("waiting for the store…") }
        holder.signal(SIGKILL)
        try await tmux.waitFor("the data once the lock is gone", timeout: 20) { $0.contains("PetStore Demo") && !$0.contains("waiting for the store") }
        await tmux.kill()
    }

    /// A hung-up terminal (the SSH session dropped, the tmux server killed) ends the console: it never keeps
    /// running without a terminal.
    @Test func aHangupEndsTheConsole() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, _) = try await sampleStore(dir)
        let tmux = Tmux()
        _ = try await tmux.run(["new-session", "-d", "-s", "t", "-x", "100", "-y", "30", "-e", "LANG=C.UTF-8",
                                "\(Binary.gatehouse) console --store \(db) --refresh 0.5"])
        try await tmux.waitFor("the overview") { $0.contains("PetStore Demo") }
        func consoles() -> [Int32] {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return entries.compactMap(Int32.init).filter { pid in
                let cmdline = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
                return cmdline.contains("console\u{0}--store\u{0}\(db)")
            }
        }
        #expect(!consoles().isEmpty, "the console runs")
        await tmux.kill()
        try await waitUntil("the console ends on the hangup", timeout: 10) { consoles().isEmpty }
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
        // Keys & plans: the demo's keyed traffic counts against its plans.
        try await tmux.send("7")
        try await tmux.waitFor("the demo's keys being used", timeout: 15) { screen in
            let lines = screen.split(separator: "\n")
            return lines.contains { $0.contains("gold") && $0.contains("100000/day") }
                && lines.contains { $0.contains("mobile-app") && $0.contains("enabled") && ($0.split(separator: " ").last.flatMap { Int($0) } ?? 100_000) < 100_000 }
        }
        try await tmux.send("q")
        let after = try await tmux.waitFor("the demo to stop", timeout: 20) { $0.contains("DEMO-EXITED 0") }
        #expect(after.contains("stopped: "))
        #expect(!after.contains("1 Overview"))
        let worker = try #require(try Store(path: dir.path("demo.db"), create: false).workers().first)
        #expect(worker.state == "stopped")
    }
}
