import Foundation
import GatehouseCore
import GatehouseGateway
import GatehouseStore
import Testing

/// The store held by another process (a long exclusive transaction): the data plane keeps serving, the
/// failed telemetry writes are counted in `/metrics` and the heartbeat row, and the rows arrive once the
/// store can be written again.
@Suite struct UnwritableStoreTests {
    @Test func telemetryWaitsOutALockedStoreWhileCallsAreServed() async throws {
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let gw = try await GatewayHarness.start(backendPort: backend.port, storeBusyTimeout: 0.2, configure: {
            $0.adminHost = "127.0.0.1"
            $0.adminPort = 0
        })
        do {
            let metricsURL = try await "http://127.0.0.1:\(gw.gateway.adminAddress?.port ?? 0)/metrics"
            func health() async throws -> Int { statusAndBody(try await curl(["-w", "\n%{http_code}", gw.url("/health")]).stdout).0 }
            func failures() async throws -> Double {
                let text = try await curl([metricsURL]).stdout
                return text.split(separator: "\n").first { $0.hasPrefix("gatehouse_telemetry_write_failures ") }?
                    .split(separator: " ").last.flatMap { Double($0) } ?? -1
            }
            #expect(try await health() == 200)
            try await waitUntil("the first row") { try gw.store.accessLog(after: 0, limit: 10).count == 1 }
            #expect(try await failures() == 0)

            // Another process takes the store's write lock and keeps it for 3 s.
            let holder = try ChildProcess("/bin/sh", ["-c", "(echo 'BEGIN EXCLUSIVE; SELECT \"locked\";'; sleep 3; echo 'COMMIT;') | sqlite3 '\(gw.store.path)'"])
            _ = try await holder.line(containing: "locked")
            for _ in 0..<5 { #expect(try await health() == 200, "served while the store is locked") }
            let deadline = Date().addingTimeInterval(10)
            while try await failures() < 1 && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try await failures() >= 1, "failed writes are counted in /metrics")
            #expect(try await holder.waitForExit() == 0)

            // Writable again: every call is there, and the heartbeat says what happened.
            try await waitUntil("the rows written during the lock") { try gw.store.accessLog(after: 0, limit: 20).count == 6 }
            try await waitUntil("the heartbeat's error count") { (try gw.store.workers().first?.telemetryErrors ?? 0) >= 1 }
        } catch {
            try? await gw.stop()
            throw error
        }
        try await gw.stop()
    }
}
