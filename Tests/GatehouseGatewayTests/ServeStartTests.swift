import Foundation
import GatehouseDemo
import GatehouseStore
import NIOCore
import NIOPosix
import Testing

/// `gatehouse serve` starts cleanly or not at all, and several workers on one store share the alarm work.
@Suite(.serialized) struct ServeStartTests {
    @Test func aPortInUseIsReportedOnceNamingItsFlagAndLeavesNoTrace() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try await sampleStore(dir).db
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { taken.close(promise: nil) }
        let port = try #require(taken.localAddress?.port)
        for (flag, arguments) in [("--listen", ["--listen", "127.0.0.1:\(port)"]), ("--admin", ["--listen", "127.0.0.1:0", "--admin", "127.0.0.1:\(port)"])] {
            let result = try await run(Binary.gatehouse, ["serve", "--store", db] + arguments)
            #expect(result.status == 1)
            #expect(result.stderr.components(separatedBy: "cannot listen").count == 2, "reported once: \(result.stderr)")
            #expect(result.stderr.contains("cannot listen on 127.0.0.1:\(port) (\(flag)): the address is already in use"), "\(result.stderr)")
            #expect(result.stderr.contains("choose another with \(flag) HOST:PORT"))
            #expect(!result.stderr.contains("CancellationError"), "\(result.stderr)")
            #expect(!result.stdout.contains("serving"), "\(result.stdout)")
        }
        #expect(try Store(path: db, access: .readOnly).workers().isEmpty, "no worker row was left behind")
    }

    @Test func aConnectionCapBeyondTheFileLimitIsRaisedOrNamed() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try await sampleStore(dir).db
        // A hard limit of 1,500 files cannot hold 5,000 connections: the worker says so and how to fix it.
        let capped = try ChildProcess("/bin/sh", ["-c", "ulimit -n 1500 && exec \"$0\" \"$@\"", Binary.gatehouse,
                                                  "serve", "--store", db, "--listen", "127.0.0.1:0", "--max-connections", "5000", "--threads", "1"])
        defer { capped.signal(SIGKILL) }
        let note = try await capped.line(containing: "note: --max-connections")
        // 5,000 connections + 256 upstream on the one loop + 256 kept for the rest.
        #expect(note.contains("needs about 5512 open files, but this process may open 1500"), "\(note)")
        #expect(note.contains("ulimit -Hn"))
        // A soft limit below the hard one is raised as far as needed (or the hard limit allows), and nothing more
        // is said when that is enough.
        var own = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &own)
        let expected = min(Int(clamping: own.rlim_max), 5512)
        let raised = try ChildProcess("/bin/sh", ["-c", "ulimit -Sn 1024 && exec \"$0\" \"$@\"", Binary.gatehouse,
                                                  "serve", "--store", db, "--listen", "127.0.0.1:0", "--max-connections", "5000", "--threads", "1"])
        defer { raised.signal(SIGKILL) }
        _ = try await raised.line(containing: "serving")
        let limits = try String(contentsOfFile: "/proc/\(raised.process.processIdentifier)/limits", encoding: .utf8)
        let files = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }.map(String.init) ?? ""
        #expect(files.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first == "\(expected)", "\(files)")
        #expect(raised.stdout.contains("note: --max-connections") == (expected < 5512), "\(raised.stdout)")
    }

    @Test func aSecondWorkerIsAnnouncedAndTheAlarmLeasePassesWhenTheHolderDies() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try await sampleStore(dir).db
        let serve = ["serve", "--store", db, "--listen", "127.0.0.1:0", "--alarm-interval", "0.2", "--log-level", "notice"]
        let first = try ChildProcess(Binary.gatehouse, serve)
        defer { first.signal(SIGKILL) }
        _ = try await first.line(containing: "serving")
        let reader = try Store(path: db, access: .readOnly)
        try await waitUntil("the first worker holds the alarm lease") {
            guard let holder = try reader.leaseHolder("alarms")?.holder else { return false }
            return try reader.workers().contains { $0.id == holder && $0.pid == first.process.processIdentifier }
        }
        let second = try ChildProcess(Binary.gatehouse, serve)
        defer { second.signal(SIGKILL) }
        let note = try await second.line(containing: "another worker is serving this store")
        #expect(note.contains("pid \(first.process.processIdentifier)"), "\(note)")
        try await waitUntil("the second worker says it leaves alarms to the other") {
            second.stderr.contains("another worker on this store evaluates alarms")
        }
        let holder = try #require(try reader.leaseHolder("alarms"))
        #expect(try reader.workers().first { $0.id == holder.holder }?.pid == first.process.processIdentifier, "still the first")

        first.signal(SIGKILL)
        _ = try await first.waitForExit()
        try await waitUntil("the second worker takes the lease once the first one's heartbeat stops", timeout: 20) {
            guard let holder = try reader.leaseHolder("alarms")?.holder else { return false }
            return try reader.workers().contains { $0.id == holder && $0.pid == second.process.processIdentifier }
        }
        // The lease is written before the worker logs that it took it: wait for the line, do not race it.
        try await waitUntil("the second worker says it now evaluates alarms") { second.stderr.contains("this worker evaluates alarms") }
    }

    @Test func loggingSetRefusesAnAccessFileThatCannotBeWritten() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try await sampleStore(dir).db
        let apiId = try Store(path: db, access: .readOnly).restApis().first?.id ?? ""
        let missing = dir.path("no/such/folder/access.log")
        let result = try await gatehouse("logging", "set", "--store", db, "--api", apiId, "--stage", "prod", "--access-format", "clf", "--access-file", missing)
        #expect(result.status != 0)
        #expect(result.stderr.contains("does not exist; nothing was changed"), "\(result.stderr)")
        let folder = try await gatehouse("logging", "set", "--store", db, "--api", apiId, "--stage", "prod", "--access-format", "clf", "--access-file", dir.url.path)
        #expect(folder.status != 0 && folder.stderr.contains("is a folder"), "\(folder.stderr)")
        #expect(try Store(path: db, access: .readOnly).stage(apiId: apiId, stageName: "prod")?.accessLogSettings == nil, "nothing was set")
        let fine = try await gatehouse("logging", "set", "--store", db, "--api", apiId, "--stage", "prod", "--access-format", "clf", "--access-file", dir.path("access.log"))
        #expect(fine.status == 0, "\(fine.stderr)")
    }
}
