import GatehouseCore

/// The selection follows its record, not its row number: what identifies a row in each view, and putting
/// the selection back on it after new data, a sort, a filter or new log rows moved it.
extension ConsoleReducer {
    /// What the selected row of the current view is, independent of its position.
    static func selectedIdentity(_ state: ConsoleState) -> String? {
        identity(state, at: state.currentSelection)
    }

    static func identity(_ state: ConsoleState, at index: Int) -> String? {
        func pick<Row>(_ rows: [Row], _ id: (Row) -> String) -> String? { rows.indices.contains(index) ? id(rows[index]) : nil }
        switch state.view {
        case .overview: return pick(visibleOverview(state)) { "\($0.apiId)/\($0.stage)" }
        case .apis: return pick(visibleMethods(state)) { "\($0.apiId)/\($0.stage) \($0.httpMethod) \($0.resourcePath)" }
        case .logs: return pick(visibleLogs(state)) { "\($0.id)" }
        case .throttles: return pick(visibleThrottles(state)) { "\($0.scope.rawValue) \($0.apiId)/\($0.stage) \($0.methodKey)" }
        case .deployments: return pick(visibleDeployments(state)) { "\($0.apiId) \($0.id)" }
        case .audit: return pick(visibleAudit(state)) { "\($0.id)" }
        case .domains: return pick(visibleDomains(state)) { $0.name }
        case .alarms: return pick(visibleAlarms(state)) { $0.rule.name }
        case .keys: return pick(visibleKeyPlans(state)) { $0.identity }
        case .charts: return nil
        }
    }

    /// Puts the selection back on the row identified by `identity`, if it is still shown.
    static func reselect(_ state: inout ConsoleState, _ identity: String?) {
        guard let identity else { return }
        if state.view == .logs {
            if state.logFollow { return }
            guard let id = Int64(identity), let index = visibleLogs(state).firstIndex(where: { $0.id == id }) else { return }
            state.selection[.logs] = index
            return
        }
        let count = rowCount(state)
        if let index = (0..<count).first(where: { self.identity(state, at: $0) == identity }) {
            state.selection[state.view] = index
        }
    }
}
