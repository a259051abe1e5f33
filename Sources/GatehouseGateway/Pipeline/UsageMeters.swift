import Foundation
import GatehouseCore
import NIOConcurrencyHelpers

/// Counts one key's admitted calls under one plan and enforces the plan's quota. Calls are counted in memory
/// (the data path never waits on disk); `UsageSync` adds them to the store each second and reads back the
/// period's total, which other workers' calls are part of.
public final class KeyMeter: Sendable {
    struct State {
        var quota: QuotaSettings?
        var quotaSince: Date?
        /// Calls admitted here and not yet in the store, by UTC day.
        var pending: [String: Int] = [:]
        /// The store's count for the current period at the last sync (plus what was drained since).
        var stored = 0
        /// The period `stored` belongs to, and the limit for it.
        var periodStart = ""
        var periodStartDate = Date.distantFuture
        var periodEnd = Date.distantPast
        var limit = Int.max
        /// The UTC day of `now` and when it ends, so most calls format no date.
        var day = ""
        var dayEnd = Date.distantPast
    }

    let planId: String
    let keyId: String
    private let state: NIOLockedValueBox<State>

    init(planId: String, keyId: String, plan: UsagePlan) {
        self.planId = planId
        self.keyId = keyId
        state = NIOLockedValueBox(State(quota: plan.quota, quotaSince: plan.quotaSince))
    }

    /// Brings the quota up to date with a changed plan, keeping the counts.
    func update(plan: UsagePlan) {
        state.withLockedValue { state in
            guard state.quota != plan.quota || state.quotaSince != plan.quotaSince else { return }
            state.quota = plan.quota
            state.quotaSince = plan.quotaSince
            state.periodEnd = .distantPast  // recomputed on the next call
        }
    }

    /// Whether calls it counted have not reached the store yet.
    var hasPending: Bool { state.withLockedValue { !$0.pending.isEmpty } }

    /// Counts a call if the quota leaves room for it; false means the quota is spent for this period.
    func admit(now: Date) -> Bool {
        state.withLockedValue { state in
            Self.roll(&state, now: now)
            if state.quota != nil {
                let used = state.stored + Self.pendingInPeriod(state)
                guard used < state.limit else { return false }
            }
            state.pending[state.day, default: 0] += 1
            return true
        }
    }

    /// Calls used and the limit in the period holding `now` (nil limit: no quota), as this worker knows them.
    func quotaState(now: Date) -> (used: Int, limit: Int?) {
        state.withLockedValue { state in
            Self.roll(&state, now: now)
            return (state.stored + Self.pendingInPeriod(state), state.quota == nil ? nil : state.limit)
        }
    }

    /// Takes the pending counts to write; they count as stored until the store's total replaces them.
    func drain() -> [KeyUsage] {
        state.withLockedValue { state in
            let drained = state.pending.map { KeyUsage(planId: planId, keyId: keyId, day: $0.key, used: $0.value) }
            state.stored += Self.pendingInPeriod(state)
            state.pending.removeAll(keepingCapacity: true)
            return drained
        }
    }

    /// Puts back counts that could not be written.
    func restore(_ counts: [KeyUsage]) {
        state.withLockedValue { state in
            for count in counts { state.pending[count.day, default: 0] += count.used }
            state.stored -= counts.filter { $0.day >= state.periodStart }.reduce(0) { $0 + $1.used }
        }
    }

    /// The first day of the period in force at `now` (so a sync knows which rows to sum), or nil without a quota.
    func periodStartDay(now: Date) -> String? {
        state.withLockedValue { state in
            Self.roll(&state, now: now)
            return state.quota == nil ? nil : state.periodStart
        }
    }

    /// The store's total for the period that starts on `periodStart` (calls already drained are in it).
    func settle(stored total: Int, periodStart: String) {
        state.withLockedValue { state in
            if state.periodStart == periodStart { state.stored = total }
        }
    }

    private static func pendingInPeriod(_ state: State) -> Int {
        state.pending.reduce(0) { $0 + ($1.key >= state.periodStart ? $1.value : 0) }
    }

    /// Moves to the day and the quota period holding `now`.
    private static func roll(_ state: inout State, now: Date) {
        if now >= state.dayEnd || now < state.dayEnd.addingTimeInterval(-86_400) {
            state.day = UsageDay.string(now)
            state.dayEnd = UsageDay.date(state.day).map { $0.addingTimeInterval(86_400) } ?? now.addingTimeInterval(1)
        }
        guard let quota = state.quota else {
            state.periodStart = ""
            return
        }
        if now >= state.periodEnd || now < state.periodStartDate {
            let start = quota.period.start(containing: now)
            state.periodStartDate = start
            let startDay = UsageDay.string(start)
            if startDay != state.periodStart { state.stored = 0 }
            state.periodStart = startDay
            state.periodEnd = quota.period.end(containing: now)
            let initial = state.quotaSince.map { quota.period.start(containing: $0) == start } ?? false
            state.limit = initial ? max(0, quota.limit - quota.offset) : quota.limit
        }
    }
}

/// Every key meter of the worker, kept across configuration swaps (a changed plan keeps its counts).
public final class UsageMeters: Sendable {
    private let meters = NIOLockedValueBox<[String: KeyMeter]>([:])

    public init() {}

    /// The meter for `keyId` on `plan`, created on first use and brought up to date with the plan.
    func meter(plan: UsagePlan, keyId: String) -> KeyMeter {
        meters.withLockedValue { meters in
            let name = plan.id + "/" + keyId
            if let existing = meters[name] {
                existing.update(plan: plan)
                return existing
            }
            let made = KeyMeter(planId: plan.id, keyId: keyId, plan: plan)
            meters[name] = made
            return made
        }
    }

    /// Every meter now.
    var all: [KeyMeter] { meters.withLockedValue { Array($0.values) } }

    /// Forgets the meters of keys no longer on their plan (`live` holds `plan/key` names), once nothing they
    /// counted is waiting to be written; a key put back later starts from the store's count.
    func prune(keeping live: Set<String>) {
        meters.withLockedValue { meters in
            meters = meters.filter { live.contains($0.key) || $0.value.hasPending }
        }
    }

    /// The meter of `keyId` on `planId`, if a call has been served with it (for tests and the console).
    public func quotaState(planId: String, keyId: String, now: Date = Date()) -> (used: Int, limit: Int?)? {
        meters.withLockedValue { $0[planId + "/" + keyId] }?.quotaState(now: now)
    }
}
