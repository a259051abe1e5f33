import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import NIOPosix
import ServiceLifecycle

/// Adds each key's admitted calls to the store every interval (one short transaction, on the I/O pool) and
/// reads back each quota period's total, which holds every worker's calls: so quotas survive a restart and
/// are shared by the workers on one store. Flushes once more at shutdown, after the server has drained.
final class UsageSync: Service, Sendable {
    let store: any KeyUsageStore
    let meters: UsageMeters
    let io: NIOThreadPool
    let interval: TimeAmountSeconds
    let clock: @Sendable () -> Date
    let logger: Logger

    init(store: any KeyUsageStore, meters: UsageMeters, io: NIOThreadPool, interval: TimeAmountSeconds, clock: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.meters = meters
        self.io = io
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(self.interval * 1000)))
                await self.sync()
            }
        }
        await sync()
    }

    /// One round: write what was counted, then settle each quota meter on the store's total.
    func sync() async {
        let meters = self.meters.all
        guard !meters.isEmpty else { return }
        let drained = meters.map { ($0, $0.drain()) }
        let store = self.store, now = clock()
        do {
            try await io.runIfActive { try Self.writeAndSettle(store: store, drained: drained, meters: meters, now: now) }
        } catch {
            for (meter, counts) in drained where !counts.isEmpty { meter.restore(counts) }
            if !(error is CancellationError) {
                logger.warning("cannot write key usage; kept for the next try", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The same round, on the calling thread: at start, so a restarted worker's first call already counts the
    /// period's calls in the store.
    func settleBlocking() throws {
        let meters = self.meters.all
        guard !meters.isEmpty else { return }
        let drained = meters.map { ($0, $0.drain()) }
        do {
            try Self.writeAndSettle(store: store, drained: drained, meters: meters, now: clock())
        } catch {
            for (meter, counts) in drained where !counts.isEmpty { meter.restore(counts) }
            throw error
        }
    }

    private static func writeAndSettle(store: any KeyUsageStore, drained: [(KeyMeter, [KeyUsage])], meters: [KeyMeter], now: Date) throws {
        try store.addKeyUsage(drained.flatMap(\.1))
        let periods = meters.compactMap { meter in meter.periodStartDay(now: now).map { (meter, $0) } }
        guard let earliest = periods.map(\.1).min() else { return }
        var totals: [String: Int] = [:]
        let starts = Dictionary(periods.map { ($0.0.planId + "/" + $0.0.keyId, $0.1) }, uniquingKeysWith: { first, _ in first })
        for row in try store.keyUsage(fromDay: earliest, toDay: nil, planId: nil, keyId: nil) {
            let name = row.planId + "/" + row.keyId
            if let start = starts[name], row.day >= start { totals[name, default: 0] += row.used }
        }
        for (meter, start) in periods { meter.settle(stored: totals[meter.planId + "/" + meter.keyId] ?? 0, periodStart: start) }
    }
}
