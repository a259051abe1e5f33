import Foundation
import GatehouseCore

/// Every limit in force with its live rate and 429s per second; `e` edits in place.
enum ThrottlesView {
    static func draw(_ buffer: inout ScreenBuffer, _ state: ConsoleState, _ body: (x: Int, y: Int, width: Int, height: Int)) {
        let rows = ConsoleReducer.visibleThrottles(state)
        let columns = [
            TableColumn(title: "SCOPE", width: 12, priority: 4, minWidth: 6), TableColumn(title: "API", width: 12, priority: 7, minWidth: 10),
            TableColumn(title: "STAGE", width: 10, priority: 8, minWidth: 6),
            TableColumn(title: "METHOD", width: 0, priority: 10, minWidth: 18), TableColumn(title: "RATE", width: 8, alignRight: true, priority: 6),
            TableColumn(title: "BURST", width: 6, alignRight: true, priority: 3), TableColumn(title: "NOW/S", width: 7, alignRight: true, priority: 4),
            TableColumn(title: "429/S", width: 6, alignRight: true, priority: 6), TableColumn(title: "USE", width: 5, alignRight: true, priority: 2),
        ]
        let cells = rows.map { row -> [TableCell] in
            let use = row.limit.rate > 0 ? Int((row.ratePerSecond / row.limit.rate * 100).rounded()) : (row.ratePerSecond > 0 ? 100 : 0)
            return [TableCell(row.scope.rawValue, .accent), TableCell(row.apiId.isEmpty ? "-" : row.apiId),
                    TableCell(row.stage.isEmpty ? "-" : row.stage), TableCell(ThrottleForm.display(row.methodKey)),
                    TableCell(Format.rate(row.limit.rate)), TableCell(String(row.limit.burst)), TableCell(Format.rate(row.ratePerSecond)),
                    TableCell(Format.rate(row.throttledPerSecond), row.throttledPerSecond > 0 ? .error : .muted),
                    TableCell("\(use)%", use >= 90 ? .error : (use >= 70 ? .warn : .muted))]
        }
        Table.draw(&buffer, x: body.x + 1, y: body.y, width: body.width - 2, height: body.height, columns: columns, rows: cells,
                   selected: rows.isEmpty ? nil : state.currentSelection, empty: "No limits match the filter")
    }
}

/// Deployment history per API, with the stages serving each; `r` points a stage back at one.
enum DeploymentsView {
    static func draw(_ buffer: inout ScreenBuffer, _ state: ConsoleState, _ body: (x: Int, y: Int, width: Int, height: Int)) {
        let rows = ConsoleReducer.visibleDeployments(state)
        let columns = [
            TableColumn(title: "API", width: 0, priority: 9, minWidth: 16), TableColumn(title: "DEPLOYMENT", width: 11, priority: 10),
            TableColumn(title: "CREATED (UTC)", width: 19, priority: 6), TableColumn(title: "SERVING", width: 12, priority: 8, minWidth: 7),
            TableColumn(title: "DESCRIPTION", width: 0, priority: 3, minWidth: 11),
        ]
        let cells = rows.map {
            [TableCell("\($0.apiName) (\($0.apiId))"), TableCell($0.id), TableCell(Format.dateTime.string(from: $0.created)),
             TableCell($0.stages.isEmpty ? "-" : $0.stages.joined(separator: ","), $0.stages.isEmpty ? .muted : .ok), TableCell($0.description)]
        }
        Table.draw(&buffer, x: body.x + 1, y: body.y, width: body.width - 2, height: body.height, columns: columns, rows: cells,
                   selected: rows.isEmpty ? nil : state.currentSelection, empty: "No deployments yet")
    }
}

/// Every configuration change from any process: who, what, before → after, when.
enum AuditView {
    static func draw(_ buffer: inout ScreenBuffer, _ state: ConsoleState, _ body: (x: Int, y: Int, width: Int, height: Int)) {
        let rows = ConsoleReducer.visibleAudit(state)
        let columns = [
            TableColumn(title: "WHEN (UTC)", width: 19, priority: 7), TableColumn(title: "WHO", width: 12, priority: 6, minWidth: 8),
            TableColumn(title: "VIA", width: 8, priority: 2), TableColumn(title: "ACTION", width: 22, priority: 5, minWidth: 14),
            TableColumn(title: "TARGET", width: 0, priority: 10, minWidth: 30), TableColumn(title: "BEFORE → AFTER", width: 0, priority: 3, minWidth: 14),
        ]
        let cells = rows.map {
            [TableCell(Format.dateTime.string(from: $0.time)), TableCell($0.operatorName, .accent), TableCell($0.source, .muted),
             TableCell($0.action), TableCell($0.target, fit: Format.middle($0.target)), TableCell("\($0.before ?? "-") → \($0.after ?? "-")")]
        }
        Table.draw(&buffer, x: body.x + 1, y: body.y, width: body.width - 2, height: body.height, columns: columns, rows: cells,
                   selected: rows.isEmpty ? nil : state.currentSelection, empty: "No changes recorded yet")
    }
}

/// Custom domains: certificate expiry (warn under 30 days, error under 7), TLS minimum, mutual TLS, mappings.
enum DomainsView {
    static func draw(_ buffer: inout ScreenBuffer, _ state: ConsoleState, _ body: (x: Int, y: Int, width: Int, height: Int)) {
        let rows = ConsoleReducer.visibleDomains(state)
        let columns = [
            TableColumn(title: "DOMAIN", width: 0, priority: 10, minWidth: 16), TableColumn(title: "EXPIRES", width: 16, priority: 9, minWidth: 8),
            TableColumn(title: "MIN TLS", width: 7, priority: 4), TableColumn(title: "MTLS", width: 4, priority: 5),
            TableColumn(title: "MAPPINGS", width: 0, priority: 7, minWidth: 14),
        ]
        let now = state.data.now
        let cells = rows.map { row -> [TableCell] in
            let days = row.daysLeft(at: now)
            let expiry = row.expires.map { Format.day.string(from: $0) + (days.map { " \($0)d" } ?? "") } ?? "unreadable"
            let role: ColorRole = (days ?? -1) < 7 ? .error : ((days ?? -1) < 30 ? .warn : .ok)
            return [TableCell(row.name, .accent), TableCell(expiry, role), TableCell(row.minimumTLS == "TLS_1_3" ? "1.3" : "1.2"),
                    TableCell(row.mutualTLS ? "yes" : "no", row.mutualTLS ? .normal : .muted),
                    TableCell(row.mappings.isEmpty ? "-" : row.mappings.joined(separator: ", "), row.mappings.isEmpty ? .muted : .normal)]
        }
        Table.draw(&buffer, x: body.x + 1, y: body.y, width: body.width - 2, height: body.height, columns: columns, rows: cells,
                   selected: rows.isEmpty ? nil : state.currentSelection, empty: "No custom domains (gatehouse domain create)")
    }
}
