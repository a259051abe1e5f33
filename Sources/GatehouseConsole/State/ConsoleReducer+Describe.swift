import Foundation
import GatehouseCore
import GatehouseStore

/// Enter: drill down (a chart, a log record) or describe the selected row in full.
extension ConsoleReducer {
    static func drill(_ state: inout ConsoleState) -> [ConsoleEffect] {
        switch state.view {
        case .overview:
            let rows = visibleOverview(state)
            guard rows.indices.contains(state.currentSelection) else { return [] }
            state.chartTarget = ChartTarget(apiId: rows[state.currentSelection].apiId, stage: rows[state.currentSelection].stage)
            state.backStack.append(.overview)
            state.view = .charts
            return [.reload]
        case .apis:
            let rows = visibleMethods(state)
            guard rows.indices.contains(state.currentSelection) else { return [] }
            let row = rows[state.currentSelection]
            state.chartTarget = ChartTarget(apiId: row.apiId, stage: row.stage, resourcePath: row.resourcePath,
                                            httpMethod: row.httpMethod == "ANY" ? nil : row.httpMethod)
            state.backStack.append(.apis)
            state.view = .charts
            return [.reload]
        case .logs:
            let rows = visibleLogs(state)
            if rows.indices.contains(state.currentSelection) { state.logDetail = rows[state.currentSelection] }
        case .audit, .alarms, .throttles, .deployments, .domains:
            state.description = describe(state)
        case .keys:
            state.description = describeKeyPlan(state)
        default:
            break
        }
        return []
    }

    /// The selected row of Audit, Alarms, Throttles or Deploys, in full.
    static func describe(_ state: ConsoleState) -> RowDescription? {
        typealias F = RowDescription.Field
        let i = state.currentSelection
        switch state.view {
        case .audit:
            let rows = visibleAudit(state)
            guard rows.indices.contains(i) else { return nil }
            let e = rows[i]
            return RowDescription(title: "audit entry \(e.id)", fields: [
                F(name: "time", value: Format.dateTime.string(from: e.time) + " UTC"), F(name: "who", value: "\(e.operatorName) via \(e.source)"),
                F(name: "action", value: e.action), F(name: "target", value: e.target),
                F(name: "before", value: e.before ?? "-"), F(name: "after", value: e.after ?? "-"),
            ])
        case .alarms:
            let rows = visibleAlarms(state)
            guard rows.indices.contains(i) else { return nil }
            let a = rows[i]
            var fields = [
                F(name: "state", value: "\(a.state.rawValue) since \(Format.dateTime.string(from: a.stateUpdated)) UTC"),
                F(name: "reason", value: a.reason), F(name: "rule", value: a.rule.summary), F(name: "dimensions", value: a.rule.dimensions.description),
                F(name: "acknowledged", value: a.acknowledgedBy.map { "by \($0)" + (a.acknowledgeNote.map { ": \($0)" } ?? "") } ?? "no"),
            ]
            for entry in state.data.alarmHistory.filter({ $0.alarm == a.rule.name }).prefix(10) {
                let change = entry.newState.map { " \(entry.oldState?.rawValue ?? "-") → \($0.rawValue)" } ?? ""
                fields.append(F(name: Format.dateTime.string(from: entry.time), value: "\(entry.kind)\(change): \(entry.reason)"))
            }
            return RowDescription(title: "alarm \(a.rule.name)", fields: fields)
        case .throttles:
            let rows = visibleThrottles(state)
            guard rows.indices.contains(i) else { return nil }
            let t = rows[i]
            return RowDescription(title: "throttle \(ThrottleForm.display(t.methodKey))", fields: [
                F(name: "scope", value: "\(t.scope)"), F(name: "api / stage", value: t.apiId.isEmpty ? "every API" : "\(t.apiId) / \(t.stage)"),
                F(name: "method", value: ThrottleForm.display(t.methodKey)), F(name: "limit", value: t.limit.description),
                F(name: "now", value: "\(Format.rate(t.ratePerSecond)) req/s, \(Format.rate(t.throttledPerSecond)) answered 429 a second"),
            ])
        case .deployments:
            let rows = visibleDeployments(state)
            guard rows.indices.contains(i) else { return nil }
            let d = rows[i]
            return RowDescription(title: "deployment \(d.id)", fields: [
                F(name: "api", value: "\(d.apiName) (\(d.apiId))"), F(name: "created", value: Format.dateTime.string(from: d.created) + " UTC"),
                F(name: "description", value: d.description.isEmpty ? "-" : d.description),
                F(name: "served by", value: d.stages.isEmpty ? "no stage (r points one at it)" : d.stages.joined(separator: ", ")),
            ])
        case .domains:
            let rows = visibleDomains(state)
            guard rows.indices.contains(i) else { return nil }
            let d = rows[i]
            let days = d.daysLeft(at: state.data.now)
            return RowDescription(title: "domain \(d.name)", fields: [
                F(name: "certificate", value: d.certificatePath),
                F(name: "expires", value: d.expires.map { Format.dateTime.string(from: $0) + " UTC" + (days.map { " (\($0) days)" } ?? "") }
                    ?? "cannot be read now; the worker keeps serving the last one it loaded"),
                F(name: "minimum TLS", value: d.minimumTLS), F(name: "mutual TLS", value: d.mutualTLS ? "yes: clients must present a certificate" : "no"),
                F(name: "mappings", value: d.mappings.isEmpty ? "none (`gatehouse domain map`)" : d.mappings.joined(separator: ", ")),
            ])
        default:
            return nil
        }
    }
}
