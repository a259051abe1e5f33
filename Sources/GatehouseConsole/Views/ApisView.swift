import GatehouseCore

/// The API → stage → resource → method tree, with each method's integration and the throttle in force.
enum ApisView {
    static func draw(_ buffer: inout ScreenBuffer, _ state: ConsoleState, _ body: (x: Int, y: Int, width: Int, height: Int)) {
        let rows = ConsoleReducer.visibleMethods(state)
        let columns = [
            TableColumn(title: "API › STAGE", width: 0), TableColumn(title: "RESOURCE", width: 0), TableColumn(title: "METHOD", width: 7),
            TableColumn(title: "TRAFFIC \(state.window.label)", width: 12),
            TableColumn(title: "INTEGRATION", width: 0), TableColumn(title: "AUTH", width: 6), TableColumn(title: "KEY", width: 3),
            TableColumn(title: "THROTTLE", width: 14, alignRight: true), TableColumn(title: "FROM", width: 12),
        ]
        var previousApi = "", previousStage = ""
        let cells = rows.map { row -> [TableCell] in
            let first = row.apiId != previousApi || row.stage != previousStage
            let tree = first ? "\(row.apiName) (\(row.apiId)) › \(row.stage)" : "  │"
            previousApi = row.apiId
            previousStage = row.stage
            return [TableCell(tree, first ? .normal : .border), TableCell(row.resourcePath), TableCell(row.httpMethod, .accent),
                    TableCell(Charts.sparkline(row.sparkline, width: 12), .accent), TableCell(row.integration, .muted), TableCell(row.authorization),
                    TableCell(row.apiKeyRequired ? "yes" : "no"), TableCell(Format.limit(row.throttle.rate, row.throttle.burst)),
                    TableCell(row.throttleScope.rawValue, row.throttleScope == .account ? .muted : .accent)]
        }
        Table.draw(&buffer, x: body.x + 1, y: body.y, width: body.width - 2, height: body.height, columns: columns, rows: cells,
                   selected: rows.isEmpty ? nil : state.currentSelection, empty: "No deployed methods")
    }
}
