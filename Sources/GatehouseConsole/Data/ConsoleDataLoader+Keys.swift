import Foundation
import GatehouseCore
import GatehouseStore

/// The Keys & plans view's rows and the replay behind a plan throttle's preview.
extension ConsoleDataLoader {
    /// Each plan, then its keys (calls today, quota used and left this period); keys on no plan last.
    func keyPlanRows(now: Date) throws -> [KeyPlanRow] {
        let plans = try store.usagePlans()
        let keys = try store.apiKeys()
        guard !plans.isEmpty || !keys.isEmpty else { return [] }
        let today = UsageDay.string(now)
        let since = plans.compactMap { $0.quota.map { UsageDay.string($0.period.start(containing: now)) } }.min() ?? today
        let usage = try store.keyUsage(fromDay: min(since, today))
        var rows: [KeyPlanRow] = []
        var placed = Set<String>()
        for plan in plans {
            let periodStart = plan.quota.map { UsageDay.string($0.period.start(containing: now)) }
            let limit = plan.quotaLimit(at: now)
            var keyRows: [KeyPlanRow] = []
            for key in try store.planKeys(planId: plan.id) {
                placed.insert(key.id)
                let mine = usage.filter { $0.planId == plan.id && $0.keyId == key.id }
                let used = periodStart.map { start in mine.filter { $0.day >= start }.reduce(0) { $0 + $1.used } }
                keyRows.append(KeyPlanRow(kind: .key, planId: plan.id, planName: plan.name, keyId: key.id, keyName: key.name, enabled: key.enabled,
                                          today: mine.filter { $0.day == today }.reduce(0) { $0 + $1.used },
                                          used: used, remaining: limit.flatMap { limit in used.map { max(0, limit - $0) } }))
            }
            rows.append(KeyPlanRow(kind: .plan, planId: plan.id, planName: plan.name, stages: plan.apiStages.map(\.label), throttle: plan.throttle,
                                   quota: plan.quota, today: keyRows.reduce(0) { $0 + $1.today }))
            rows += keyRows
        }
        for key in keys where !placed.contains(key.id) {
            rows.append(KeyPlanRow(kind: .key, planId: nil, planName: "no plan", keyId: key.id, keyName: key.name, enabled: key.enabled))
        }
        return rows
    }

    /// What a per-key limit on `planId` would have rejected over the last hour: each key's recorded calls
    /// replayed through a bucket of its own (a plan's limit is per key).
    public func previewPlan(planId: String, limit: ThrottleLimit, now: Date = Date()) throws -> (rejected: Int, seconds: Int) {
        let end = Int64(now.timeIntervalSince1970), start = end - 3600
        let keyIds = try store.planKeys(planId: planId).map(\.id)
        let perKey = try store.keyCallsPerSecond(keyIds: keyIds, from: start, to: end)
        var rejected = 0
        for (_, seconds) in perKey {
            var counts = [Int](repeating: 0, count: Int(end - start))
            for (second, count) in seconds where second >= start && second < end { counts[Int(second - start)] += count }
            rejected += TokenBucket.rejections(limit: limit, countsPerSecond: counts)
        }
        let first = perKey.values.flatMap(\.keys).min()
        return (rejected, first.map { Int(end - $0) } ?? 0)
    }
}
