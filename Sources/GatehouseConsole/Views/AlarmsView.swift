import Foundation
import GatehouseCore
import GatehouseStore

/// Alarms with state, since when and who acknowledged them; the selected alarm's history below.
enum AlarmsView {
    static func role(_ alarm: AlarmStatus) -> ColorRole {
        switch alarm.state {
        case .alarm: return alarm.isAcknowledged ? .warn : .error
        case .ok: return .ok
        case .insufficientData: return .muted
        }
    }

    static func draw(_ buffer: inout ScreenBuffer, _ state: ConsoleState, _ body: (x: Int, y: Int, width: Int, height: Int)) {
        let rows = ConsoleReducer.visibleAlarms(state)
        let listHeight = max(3, min(rows.count + 2, body.height * 55 / 100))
        let columns = [
            // The name identifies the row: as wide as the longest (14 to 40), so the other columns give way first.
            TableColumn(title: "NAME", width: min(40, max(14, rows.map(\.rule.name.count).max() ?? 14)), priority: 10, minWidth: 14),
            TableColumn(title: "STATE", width: 17, priority: 9, minWidth: 9),
            TableColumn(title: "SINCE", width: 8, alignRight: true, priority: 6, minWidth: 5),
            TableColumn(title: "ACK BY", width: 12, priority: 5, minWidth: 7), TableColumn(title: "WATCHES", width: 0, priority: 8, minWidth: 16),
            TableColumn(title: "RULE", width: 0, priority: 4, minWidth: 12),
        ]
        let cells = rows.map { alarm -> [TableCell] in
            let label = alarm.state == .alarm && !alarm.isAcknowledged ? "ALARM ●" : alarm.state.rawValue
            return [TableCell(alarm.rule.name), TableCell(label, role(alarm)),
                    TableCell(Format.age(max(0, state.data.now.timeIntervalSince(alarm.stateUpdated)))),
                    TableCell(alarm.acknowledgedBy ?? "-", alarm.isAcknowledged ? .accent : .muted),
                    TableCell(alarm.rule.dimensions.description, .muted), TableCell(alarm.rule.summary)]
        }
        Table.draw(&buffer, x: body.x + 1, y: body.y, width: body.width - 2, height: listHeight, columns: columns, rows: cells,
                   selected: rows.isEmpty ? nil : state.currentSelection,
                   empty: "No alarms yet: n creates one (or gatehouse alarm put …)")
        let historyY = body.y + listHeight + 1
        guard historyY < body.y + body.height - 1 else { return }
        let selected = rows.indices.contains(state.currentSelection) ? rows[state.currentSelection] : nil
        if let selected {
            buffer.put("History of \(selected.rule.name)", x: body.x + 1, y: historyY, role: .title)
            buffer.put("  \(selected.reason)", x: body.x + 20 + selected.rule.name.count, y: historyY, role: .muted,
                       maxWidth: body.width - 22 - selected.rule.name.count)
        }
        let entries = state.data.alarmHistory.filter { $0.alarm == selected?.rule.name }
        for (i, entry) in entries.prefix(body.y + body.height - historyY - 1).enumerated() {
            let change = entry.oldState.map { "\($0.rawValue) → \(entry.newState?.rawValue ?? "?")" } ?? entry.kind
            let entryRole: ColorRole = entry.newState == .alarm ? .error : (entry.newState == .ok ? .ok : .normal)
            buffer.put(Format.dateTime.string(from: entry.time), x: body.x + 1, y: historyY + 1 + i, role: .muted)
            buffer.putPadded(change, x: body.x + 21, y: historyY + 1 + i, width: 34, role: entryRole)
            buffer.put(entry.reason, x: body.x + 56, y: historyY + 1 + i, role: .normal, maxWidth: body.width - 57)
        }
    }
}
