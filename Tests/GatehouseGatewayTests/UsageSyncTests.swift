import Foundation
import GatehouseCore
@testable import GatehouseGateway
import GatehouseStore
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import Testing

/// The usage sync against a fake of the store's key-usage part: a store that refuses writes loses no count,
/// and another worker's calls in the store count against this worker's quota.
@Suite struct UsageSyncTests {
    /// Keeps rows in memory; refuses the first `failures` writes as a locked store would.
    final class FakeUsageStore: KeyUsageStore, @unchecked Sendable {
        private let lock = NSLock()
        private var rows: [String: KeyUsage] = [:]
        private var failures: Int

        init(failures: Int) { self.failures = failures }

        func addKeyUsage(_ counts: [KeyUsage]) throws {
            try lock.withLock {
                if failures > 0 {
                    failures -= 1
                    throw StoreError.locked(path: "fake.db")
                }
                for count in counts {
                    let name = "\(count.planId) \(count.keyId) \(count.day)"
                    rows[name, default: KeyUsage(planId: count.planId, keyId: count.keyId, day: count.day, used: 0)].used += count.used
                }
            }
        }

        func keyUsage(fromDay: String, toDay: String?, planId: String?, keyId: String?) throws -> [KeyUsage] {
            lock.withLock { rows.values.filter { row in row.day >= fromDay && (toDay.map { row.day <= $0 } ?? true) }.sorted { $0.day < $1.day } }
        }

        var total: Int { lock.withLock { rows.values.reduce(0) { $0 + $1.used } } }
    }

    @Test func aRefusedWriteLosesNoCountAndOtherWorkersCallsSpendTheQuota() async throws {
        let io = NIOThreadPool(numberOfThreads: 1)
        io.start()
        let now = Date()
        let plan = UsagePlan(id: "p1", name: "p", quota: QuotaSettings(limit: 10, period: .day), created: now, lastUpdated: now)
        let meters = UsageMeters()
        let meter = meters.meter(plan: plan, keyId: "k1")
        let fake = FakeUsageStore(failures: 2)
        let sync = UsageSync(store: fake, meters: meters, io: io, interval: 1, clock: { now }, logger: Logger(label: "test"))
        for _ in 0..<4 { #expect(meter.admit(now: now)) }
        await sync.sync()
        await sync.sync()
        #expect(fake.total == 0, "both writes refused")
        #expect(meter.quotaState(now: now).used == 4, "the counts are still held")
        await sync.sync()
        #expect(fake.total == 4, "written once the store takes them, none twice")
        // Another worker's 5 calls today arrive in the store: 9 of 10 are spent.
        try fake.addKeyUsage([KeyUsage(planId: "p1", keyId: "k1", day: UsageDay.string(now), used: 5)])
        await sync.sync()
        #expect(meter.quotaState(now: now).used == 9)
        #expect(meter.admit(now: now))
        #expect(!meter.admit(now: now), "the quota is spent across workers")
        await sync.sync()
        #expect(fake.total == 10)
        try await io.shutdownGracefully()
    }
}
