import Foundation
import GatehouseCore

/// Usage plans with their stages, limits and quota, each followed by its keys: state, calls today, quota used
/// and left this period. `e` edits a plan's per-key throttle, `E` its quota, `d` disables a key.
enum KeysView {
    static func draw(_ buffer: inout ScreenBuffer, _ state: ConsoleState, _ body: (x: Int, y: Int, width: Int, height: Int)) {
        let rows = ConsoleReducer.visibleKeyPlans(state)
        let columns = [
            TableColumn(title: "PLAN / KEY", width: 0, priority: 10, minWidth: 16), TableColumn(title: "ID", width: 11, priority: 3),
            TableColumn(title: "STATE", width: 8, priority: 9, minWidth: 8), TableColumn(title: "STAGES", width: 0, priority: 2, minWidth: 12),
            TableColumn(title: "THROTTLE", width: 12, priority: 8), TableColumn(title: "QUOTA", width: 13, priority: 8),
            TableColumn(title: "TODAY", width: 7, alignRight: true, priority: 7), TableColumn(title: "USED", width: 7, alignRight: true, priority: 5),
            TableColumn(title: "LEFT", width: 7, alignRight: true, priority: 9),
        ]
        let cells = rows.map { row -> [TableCell] in
            switch row.kind {
            case .plan:
                return [TableCell(row.planId == nil ? "(no plan)" : row.planName, .accent), TableCell(row.planId ?? "-", .muted), TableCell("plan", .muted),
                        TableCell(row.stages.isEmpty ? "-" : row.stages.joined(separator: ","), fit: Format.middle(row.stages.joined(separator: ","))),
                        TableCell(row.throttle.map { "\(Format.rate($0.rate))/s b\($0.burst)" } ?? "-"),
                        TableCell(row.quota.map { "\($0.limit)/\($0.period.rawValue.lowercased())" } ?? "-"),
                        TableCell(String(row.today)), TableCell(""), TableCell("")]
            case .key:
                let left = row.remaining.map(String.init) ?? "-"
                let low = row.remaining.map { remaining in row.used.map { remaining == 0 || remaining * 10 < remaining + $0 } ?? false } ?? false
                return [TableCell("  " + (row.keyName ?? "")), TableCell(row.keyId ?? "-", .muted),
                        row.enabled ? (row.planId == nil ? TableCell("no plan", .warn) : TableCell("enabled", .ok)) : TableCell("disabled", .error),
                        TableCell(row.planId == nil ? "no plan: refused" : "", .muted), TableCell(""), TableCell(""),
                        TableCell(String(row.today)), TableCell(row.used.map(String.init) ?? "-"),
                        TableCell(left, row.remaining == 0 ? .error : (low ? .warn : .normal))]
            }
        }
        Table.draw(&buffer, x: body.x + 1, y: body.y, width: body.width - 2, height: body.height, columns: columns, rows: cells,
                   selected: rows.isEmpty ? nil : state.currentSelection,
                   empty: state.data.keyPlans.isEmpty ? "No API keys or usage plans yet: `gatehouse key create`, `gatehouse plan create`" : "No plan or key matches the filter")
    }
}
