import GatehouseCore

/// The Keys & plans view's keys: `e` edits a plan's per-key throttle (with the replay preview), `E` its quota,
/// `d` disables (or enables) a key after a confirmation; Enter describes the row.
extension ConsoleReducer {
    public static func visibleKeyPlans(_ state: ConsoleState) -> [KeyPlanRow] {
        guard let f = filter(state) else { return state.data.keyPlans }
        let rows = state.data.keyPlans
        // A plan stays when one of its keys matches, so a key is never shown without its plan.
        let matching = rows.filter { f.matches(text($0)) }
        let plans = Set(matching.map(\.planId))
        return rows.filter { row in row.kind == .plan ? plans.contains(row.planId) : matching.contains(row) }
    }

    static func text(_ row: KeyPlanRow) -> String {
        "\(row.planName) \(row.planId ?? "") \(row.keyName ?? "") \(row.keyId ?? "") \(row.enabled ? "enabled" : "disabled") \(row.stages.joined(separator: " "))"
    }

    static func selectedKeyPlan(_ state: ConsoleState) -> KeyPlanRow? {
        let rows = visibleKeyPlans(state)
        return rows.indices.contains(state.currentSelection) ? rows[state.currentSelection] : nil
    }

    static func keysViewKey(_ key: Key, _ state: inout ConsoleState) -> [ConsoleEffect] {
        guard let row = selectedKeyPlan(state) else { return [] }
        switch key {
        case .char("e"):
            guard row.kind == .plan, let planId = row.planId else { return hint("e edits a plan's per-key throttle: select the plan's row", &state) }
            return openForm(apiId: "", stage: "", methodKey: "", plan: (planId, row.planName), before: row.throttle, &state)
        case .char("E"):
            guard row.kind == .plan, let planId = row.planId else { return hint("E edits a plan's quota: select the plan's row", &state) }
            guard allowWrite(&state) else { return [] }
            let current = row.quota.map { "\($0.limit)/\($0.period.rawValue.lowercased())" } ?? ""
            state.prompt = TextPrompt(title: "Quota for plan \(row.planName): LIMIT/day, /week or /month per key (empty: none)", text: current,
                                      purpose: .planQuota(planId: planId, planName: row.planName))
        case .char("d"):
            guard row.kind == .key, let keyId = row.keyId else { return hint("d disables a key: select the key's row", &state) }
            guard allowWrite(&state) else { return [] }
            let name = row.keyName ?? keyId
            state.confirmation = row.enabled
                ? Confirmation(question: "Disable key \(name) (\(keyId))? Its calls are refused 403 within a second.",
                               effect: .setKeyEnabled(keyId: keyId, keyName: name, enabled: false))
                : Confirmation(question: "Enable key \(name) (\(keyId)) again?", effect: .setKeyEnabled(keyId: keyId, keyName: name, enabled: true))
        default:
            break
        }
        return []
    }

    /// `LIMIT/PERIOD` typed into the quota prompt: a confirmation that says which keys are already past it.
    static func confirmQuota(_ text: String, planId: String, planName: String, _ state: inout ConsoleState) -> [ConsoleEffect] {
        if text.isEmpty {
            state.prompt = nil
            state.confirmation = Confirmation(question: "Remove plan \(planName)'s quota?", effect: .savePlanQuota(planId: planId, planName: planName, quota: nil))
            return []
        }
        let parts = text.lowercased().split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let limit = Int(parts[0]), limit >= 1, let period = QuotaPeriod(rawValue: parts[1].uppercased()) else {
            state.message = "a quota is LIMIT/PERIOD, e.g. 10000/day, 50000/week or 200000/month"
            state.messageIsError = true
            return []
        }
        state.prompt = nil
        let quota = QuotaSettings(limit: limit, period: period)
        let keys = state.data.keyPlans.filter { $0.kind == .key && $0.planId == planId }
        // Calls this period are known for the current period's length only; a new period length is judged on today.
        let current = state.data.keyPlans.first { $0.kind == .plan && $0.planId == planId }?.quota?.period
        let over = keys.filter { ((current == period ? $0.used : nil) ?? $0.today) >= limit }.count
        let impact = over == 0 ? "no key has used that much yet" : "\(over) of its \(keys.count) keys are already at or past it and get 429 Limit Exceeded"
        state.confirmation = Confirmation(question: "Set plan \(planName)'s quota to \(limit)/\(period.rawValue.lowercased()) per key? \(impact).",
                                          effect: .savePlanQuota(planId: planId, planName: planName, quota: quota))
        return []
    }

    static func describeKeyPlan(_ state: ConsoleState) -> RowDescription? {
        guard let row = selectedKeyPlan(state) else { return nil }
        typealias F = RowDescription.Field
        switch row.kind {
        case .plan:
            return RowDescription(title: "plan \(row.planName)", fields: [
                F(name: "id", value: row.planId ?? "-"), F(name: "stages", value: row.stages.isEmpty ? "none" : row.stages.joined(separator: ", ")),
                F(name: "throttle", value: row.throttle.map { "\($0) per key" } ?? "none"),
                F(name: "quota", value: row.quota.map { "\($0.description) per key" } ?? "none"),
                F(name: "calls today", value: "\(row.today) (all its keys, UTC)"),
            ])
        case .key:
            return RowDescription(title: "key \(row.keyName ?? "")", fields: [
                F(name: "id", value: row.keyId ?? "-"), F(name: "state", value: row.enabled ? "enabled" : "disabled"),
                F(name: "plan", value: row.planId.map { "\(row.planName) (\($0))" } ?? "none: its calls are refused 403"),
                F(name: "calls today", value: String(row.today)),
                F(name: "quota", value: row.used.map { used in "\(used) used" + (row.remaining.map { ", \($0) left this period" } ?? "") } ?? "none"),
            ])
        }
    }

    private static func hint(_ text: String, _ state: inout ConsoleState) -> [ConsoleEffect] {
        state.message = text
        state.messageIsError = false
        return []
    }
}
