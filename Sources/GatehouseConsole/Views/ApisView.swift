import GatehouseCore

/// The API → stage → resource → method tree, with each method's integration and the throttle in force.
enum ApisView {
    static func draw(_ buffer: inout ScreenBuffer, _ state: ConsoleState, _ body: (x: Int, y: Int, width: Int, height: Int)) {
        let rows = ConsoleReducer.visibleMethods(state)
        let columns = [
            TableColumn(title: "API › STAGE", width: 0, priority: 9, minWidth: 16), TableColumn(title: "RESOURCE", width: 0, priority: 10, minWidth: 16),
            TableColumn(title: "METHOD", width: 7, priority: 10),
            TableColumn(title: "TRAFFIC \(state.window.label)", width: 12, priority: 2, minWidth: 8),
            TableColumn(title: "INTEGRATION", width: 0, priority: 4, minWidth: 6), TableColumn(title: "AUTH", width: 14, priority: 3, minWidth: 4),
            TableColumn(title: "KEY", width: 3, priority: 3), TableColumn(title: "CACHE", width: 5, alignRight: true, priority: 3),
            TableColumn(title: "THROTTLE", width: 14, alignRight: true, priority: 6, minWidth: 10), TableColumn(title: "FROM", width: 12, priority: 5, minWidth: 6),
            // As wide as its longest content (the type and the domains), up to 32; narrow, the domains become a count.
            TableColumn(title: "ENDPOINT", width: min(32, rows.map { Self.endpointText($0).count }.max() ?? 8), priority: 3, minWidth: 8),
        ]
        var previousApi = "", previousStage = ""
        let cells = rows.map { row -> [TableCell] in
            let first = row.apiId != previousApi || row.stage != previousStage
            let tree = first ? "\(row.apiName) (\(row.apiId)) › \(row.stage)" : "  │"
            previousApi = row.apiId
            previousStage = row.stage
            // Narrow, the API's name gives way and the stage stays.
            let name = "\(row.apiName) (\(row.apiId))", stage = " › \(row.stage)"
            let fit: (Int) -> String = { width in
                name.count + stage.count <= width ? name + stage : String(name.prefix(max(1, width - stage.count - 1))) + "…" + stage
            }
            return [TableCell(tree, first ? .normal : .border, fit: first ? fit : nil), TableCell(row.resourcePath), TableCell(row.httpMethod, .accent),
                    TableCell(Charts.sparkline(row.sparkline, width: 12), .accent), Self.integration(row.integration), TableCell(row.authorization),
                    TableCell(row.apiKeyRequired ? "yes" : "no"), TableCell(row.cache?.ratio ?? "off", row.cache == nil ? .muted : .normal),
                    TableCell(Format.limit(row.throttle.rate, row.throttle.burst)),
                    TableCell(row.throttleScope.rawValue, row.throttleScope == .account ? .muted : .accent),
                    // Once per stage: the endpoint type, then the custom domains that reach it.
                    first ? Self.endpoint(row) : TableCell("")]
        }
        Table.draw(&buffer, x: body.x + 1, y: body.y, width: body.width - 2, height: body.height, columns: columns, rows: cells,
                   selected: rows.isEmpty ? nil : state.currentSelection, empty: "No deployed methods")
    }

    /// The integration (type, verb, URI); narrow, `HTTP_PROXY` becomes `PROXY`, since a cut `HTTP_…` reads like `HTTP`.
    static func integration(_ text: String) -> TableCell {
        TableCell(text, .muted, fit: { width in
            text.count <= width || !text.hasPrefix("HTTP_PROXY") ? text : String(text.dropFirst("HTTP_".count))
        })
    }

    /// The endpoint type and the custom domains reaching the stage; narrow, the domains become a count (`PRIVATE +1`).
    static func endpointText(_ row: MethodRow) -> String {
        ([row.endpointType] + row.domains).joined(separator: " ")
    }

    static func endpoint(_ row: MethodRow) -> TableCell {
        let full = endpointText(row)
        let short = row.endpointType + (row.domains.isEmpty ? "" : " +\(row.domains.count)")
        return TableCell(full, row.endpointType == "PRIVATE" ? .warn : .muted, fit: { width in
            full.count <= width ? full : (short.count <= width ? short : row.endpointType)
        })
    }
}
