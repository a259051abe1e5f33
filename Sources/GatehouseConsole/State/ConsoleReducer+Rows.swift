import Foundation
import GatehouseCore
import GatehouseStore

/// The rows each view shows (filtered and sorted, shared with the views) and the selection over them.
extension ConsoleReducer {
    // MARK: Selection

    static func rowCount(_ state: ConsoleState) -> Int {
        switch state.view {
        case .overview: return visibleOverview(state).count
        case .apis: return visibleMethods(state).count
        case .logs: return visibleLogs(state).count
        case .throttles: return visibleThrottles(state).count
        case .deployments: return visibleDeployments(state).count
        case .audit: return visibleAudit(state).count
        case .domains: return visibleDomains(state).count
        case .alarms: return visibleAlarms(state).count
        case .keys: return visibleKeyPlans(state).count
        case .charts: return 0
        }
    }

    static func move(_ state: inout ConsoleState, by delta: Int) {
        setSelection(&state, state.currentSelection + delta)
        if state.view == .logs && delta < 0 && state.logFollow {
            state.logFollow = false
        }
    }

    static func setSelection(_ state: inout ConsoleState, _ value: Int) {
        let count = rowCount(state)
        state.selection[state.view] = count == 0 ? 0 : min(max(0, value), count - 1)
        if state.view == .logs, count > 0, state.selection[.logs] == count - 1, value >= count - 1, !state.logFollow {
            // Moving to the end resumes following, as `less +F` does.
            state.logFollow = true
            state.logNewWhilePaused = 0
        }
    }

    static func clampSelection(_ state: inout ConsoleState) {
        let count = rowCount(state)
        if let current = state.selection[state.view], current >= count { state.selection[state.view] = max(0, count - 1) }
    }

    // MARK: Filtered rows (shared with the views)

    static func filter(_ state: ConsoleState) -> ConsoleFilter? {
        state.currentFilter.flatMap(ConsoleFilter.init)
    }

    /// The keys `s` cycles through in a view; numbers sort largest first, names alphabetically.
    public static func sortKeys(_ view: ConsoleView) -> [String] {
        switch view {
        case .overview: return ["req/s", "5xx", "4xx", "p99", "429/s", "name"]
        case .apis: return ["traffic", "throttle", "path"]
        case .throttles: return ["429/s", "now/s", "use", "rate"]
        case .alarms: return ["since", "name"]
        case .deployments: return ["api", "created"]
        case .audit: return ["who", "action"]
        case .domains: return ["expires", "name"]
        case .logs, .charts, .keys: return []
        }
    }

    /// The sort caption for the breadcrumb line, e.g. `sorted by p99 ↓`.
    public static func sortCaption(_ state: ConsoleState) -> String? {
        guard let order = state.sorts[state.view], sortKeys(state.view).indices.contains(order.key) else { return nil }
        return "sorted by \(sortKeys(state.view)[order.key]) \(order.reversed ? "↑" : "↓")"
    }

    static func sorted<Row>(_ rows: [Row], _ state: ConsoleState, _ keys: [(Row) -> SortValue]) -> [Row] {
        guard let order = state.sorts[state.view], keys.indices.contains(order.key) else { return rows }
        let key = keys[order.key]
        let sorted = rows.enumerated().sorted { a, b in
            let (x, y) = (key(a.element), key(b.element))
            return x == y ? a.offset < b.offset : x.before(y)
        }.map(\.element)
        return order.reversed ? sorted.reversed() : sorted
    }

    public static func visibleOverview(_ state: ConsoleState) -> [OverviewRow] {
        var rows = state.data.overview
        if let f = filter(state) { rows = rows.filter { f.matches("\($0.apiId) \($0.apiName) \($0.stage)") } }
        return sorted(rows, state, [{ .number($0.requestsPerSecond) }, { .number(Double($0.count5xx) / Double(max(1, $0.total))) },
                                    { .number(Double($0.count4xx) / Double(max(1, $0.total))) }, { .number($0.p99 ?? 0) },
                                    { .number($0.throttledPerSecond) }, { .text("\($0.apiName) \($0.stage)") }])
    }

    public static func visibleMethods(_ state: ConsoleState) -> [MethodRow] {
        var rows = state.data.methods
        if let f = filter(state) {
            rows = rows.filter { f.matches("\($0.apiId) \($0.apiName) \($0.stage) \($0.httpMethod) \($0.resourcePath) \($0.integration)") }
        }
        return sorted(rows, state, [{ .number(Double($0.sparkline.reduce(0, +))) }, { .number($0.throttle.rate) },
                                    { .text("\($0.resourcePath) \($0.httpMethod)") }])
    }

    public static func visibleLogs(_ state: ConsoleState) -> [LogEntry] {
        guard let f = filter(state) else { return state.logs }
        return state.logs.filter { f.matches($0.record, text: LogLine.text($0)) }
    }

    /// Alarms, firing and unacknowledged first.
    public static func visibleAlarms(_ state: ConsoleState) -> [AlarmStatus] {
        func rank(_ a: AlarmStatus) -> Int { a.state == .alarm ? (a.isAcknowledged ? 1 : 0) : (a.state == .insufficientData ? 2 : 3) }
        var rows = state.data.alarms.sorted { (rank($0), $0.rule.name) < (rank($1), $1.rule.name) }
        if let f = filter(state) { rows = rows.filter { f.matches("\($0.rule.name) \($0.state.rawValue) \($0.rule.dimensions.description) \($0.rule.summary)") } }
        return sorted(rows, state, [{ .number(-$0.stateUpdated.timeIntervalSince1970) }, { .text($0.rule.name) }])
    }

    public static func visibleThrottles(_ state: ConsoleState) -> [ThrottleRow] {
        var rows = state.data.throttles
        if let f = filter(state) { rows = rows.filter { f.matches("\($0.scope.rawValue) \($0.apiId) \($0.stage) \(ThrottleForm.display($0.methodKey))") } }
        return sorted(rows, state, [{ .number($0.throttledPerSecond) }, { .number($0.ratePerSecond) },
                                    { .number($0.limit.rate > 0 ? $0.ratePerSecond / $0.limit.rate : 0) }, { .number($0.limit.rate) }])
    }

    public static func visibleDeployments(_ state: ConsoleState) -> [DeploymentRow] {
        var rows = state.data.deployments
        if let f = filter(state) { rows = rows.filter { f.matches("\($0.apiId) \($0.apiName) \($0.id) \($0.description) \($0.stages.joined(separator: " "))") } }
        return sorted(rows, state, [{ .text("\($0.apiName) \($0.apiId)") }, { .number($0.created.timeIntervalSince1970) }])
    }

    public static func visibleDomains(_ state: ConsoleState) -> [DomainRow] {
        var rows = state.data.domains
        if let f = filter(state) { rows = rows.filter { f.matches("\($0.name) \($0.minimumTLS) \($0.mappings.joined(separator: " "))") } }
        return sorted(rows, state, [{ .number(-Double($0.daysLeft(at: state.data.now) ?? Int.min)) }, { .text($0.name) }])
    }

    public static func visibleAudit(_ state: ConsoleState) -> [GatehouseStoreAuditEntry] {
        var rows = state.data.audit
        if let f = filter(state) { rows = rows.filter { f.matches("\($0.operatorName) \($0.source) \($0.action) \($0.target) \($0.before ?? "") \($0.after ?? "")") } }
        return sorted(rows, state, [{ .text($0.operatorName) }, { .text($0.action) }])
    }
}

/// A value rows are sorted by: numbers largest first, text alphabetically.
public enum SortValue: Equatable {
    case number(Double)
    case text(String)

    func before(_ other: SortValue) -> Bool {
        switch (self, other) {
        case let (.number(a), .number(b)): return a > b
        case let (.text(a), .text(b)): return a.localizedCaseInsensitiveCompare(b) == .orderedAscending
        case (.number, .text): return true
        case (.text, .number): return false
        }
    }
}

/// A log row as one line of text (also what the filter's regular expression reads).
public enum LogLine {
    public static func text(_ entry: LogEntry) -> String {
        let r = entry.record
        return "\(r.status) \(r.httpMethod) \(r.path) \(r.apiId ?? "-")/\(r.stage ?? "-") \(r.error ?? "")"
    }
}

extension ConsoleReducer {
    /// Adds log rows, keeping the list in request-start order (a slow call is logged when it ends, after
    /// calls that started later; ties keep the log's order).
    static func insertLogs(_ state: inout ConsoleState, _ entries: [LogEntry]) {
        let known = Set(state.logs.map(\.id))
        let fresh = entries.filter { !known.contains($0.id) }
        guard !fresh.isEmpty else { return }
        state.logs.append(contentsOf: fresh)
        let startsBefore: (LogEntry, LogEntry) -> Bool = { ($0.record.time, $0.id) < ($1.record.time, $1.id) }
        if zip(state.logs, state.logs.dropFirst()).contains(where: { startsBefore($1, $0) }) { state.logs.sort(by: startsBefore) }
    }

    /// At the top of a paused Logs view, going up loads the page of older rows from the store.
    static func pageBack(_ state: ConsoleState) -> ConsoleEffect? {
        guard state.view == .logs, !state.logFollow, !state.frozen, state.currentSelection == 0, !state.logsAtStart,
              state.filters[.logs] == nil, let oldest = state.logs.map(\.id).min() else { return nil }
        return .loadOlderLogs(before: oldest)
    }
}
