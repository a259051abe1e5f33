/// One row per API × stage: traffic now, the window's sparkline, error shares, latency and throttling.
enum OverviewView {
    static func alarmCell(_ data: ConsoleData, _ row: OverviewRow) -> TableCell {
        guard let worst = data.alarmState(apiId: row.apiId, stage: row.stage) else { return TableCell("-", .muted) }
        switch worst.state {
        case .alarm: return worst.acknowledged ? TableCell("ALARM", .warn) : TableCell("ALARM ●", .error)
        case .ok: return TableCell("OK", .ok)
        case .insufficientData: return TableCell("INSUFF", .muted)
        }
    }

    static func draw(_ buffer: inout ScreenBuffer, _ state: ConsoleState, _ body: (x: Int, y: Int, width: Int, height: Int)) {
        let rows = ConsoleReducer.visibleOverview(state)
        let wide = body.width >= 100
        let sparkWidth = wide ? max(8, min(40, (body.width - 66) / 2)) : 8
        var columns = [
            TableColumn(title: "API", width: 0, priority: 9, minWidth: 16), TableColumn(title: "STAGE", width: 8, priority: 10, minWidth: 6),
            TableColumn(title: "REQ/S", width: 6, alignRight: true), TableColumn(title: "TRAFFIC \(state.window.label)", width: sparkWidth),
            TableColumn(title: "4XX", width: 6, alignRight: true), TableColumn(title: "5XX", width: 6, alignRight: true),
            TableColumn(title: "401/403", width: 7, alignRight: true, priority: 3),
            TableColumn(title: "P50", width: 8, alignRight: true), TableColumn(title: "P99", width: 8, alignRight: true),
            TableColumn(title: "429/S", width: 6, alignRight: true), TableColumn(title: "ALARM", width: 7),
        ]
        if !wide {
            columns.removeLast()
            columns[3] = TableColumn(title: "ALARM", width: 7)
        }
        let cells = rows.map { row -> [TableCell] in
            [TableCell("\(row.apiName) (\(row.apiId))"), TableCell(row.stage), TableCell(Format.rate(row.requestsPerSecond)),
             wide ? TableCell(Charts.sparkline(row.sparkline, width: sparkWidth), .accent) : alarmCell(state.data, row),
             TableCell(Format.percent(row.count4xx, of: row.total), row.count4xx > 0 ? .warn : .muted),
             TableCell(Format.percent(row.count5xx, of: row.total), row.count5xx > 0 ? .error : .muted),
             TableCell(Format.percent(row.countDenied, of: row.total), row.countDenied > 0 ? .warn : .muted),
             TableCell(Format.ms(row.p50)), TableCell(Format.ms(row.p99)),
             TableCell(Format.rate(row.throttledPerSecond), row.throttledPerSecond > 0 ? .warn : .muted), alarmCell(state.data, row)]
                .prefix(columns.count).map { $0 }
        }
        let empty = state.data.overview.isEmpty
            ? "No deployed stages yet: gatehouse import FILE, then gatehouse deploy --api ID --stage NAME"
            : "No stage matches the filter"
        Table.draw(&buffer, x: body.x + 1, y: body.y, width: body.width - 2, height: body.height, columns: columns, rows: cells,
                   selected: rows.isEmpty ? nil : state.currentSelection, empty: empty)
    }
}
