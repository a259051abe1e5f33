/// A column of a table: a title, a width (0 = share of what is left), and alignment.
struct TableColumn {
    var title: String
    var width: Int
    var alignRight = false
}

/// A cell of a table row, with an optional role of its own.
struct TableCell {
    var text: String
    var role: ColorRole?

    init(_ text: String, _ role: ColorRole? = nil) {
        self.text = text
        self.role = role
    }
}

/// Draws a scrolling table with a header row and a selected row kept in view.
enum Table {
    static func draw(_ buffer: inout ScreenBuffer, x: Int, y: Int, width: Int, height: Int, columns: [TableColumn],
                     rows: [[TableCell]], selected: Int?, empty: String) {
        guard height > 0, width > 0 else { return }
        let fixed = columns.reduce(0) { $0 + $1.width } + columns.count - 1
        let flexible = columns.filter { $0.width == 0 }.count
        let share = flexible > 0 ? max(4, (width - fixed) / flexible) : 0
        let widths = columns.map { $0.width == 0 ? share : $0.width }
        var column = x
        for (index, c) in columns.enumerated() {
            buffer.putPadded(c.title, x: column, y: y, width: min(widths[index], x + width - column), role: .header, alignRight: c.alignRight)
            column += widths[index] + 1
        }
        buffer.fill(x: x, y: y, width: width, height: 1, role: .header, clear: false)
        let visible = height - 1
        guard !rows.isEmpty else {
            if visible > 0 { buffer.put(empty, x: x + 1, y: y + 1, role: .muted, maxWidth: width - 1) }
            return
        }
        let selection = selected.map { min(max(0, $0), rows.count - 1) }
        let top = selection.map { max(0, min($0 - visible / 2, rows.count - visible)) } ?? 0
        for (offset, row) in rows[top..<min(rows.count, top + visible)].enumerated() {
            let rowIndex = top + offset
            let isSelected = rowIndex == selection
            var cx = x
            for (index, cell) in row.enumerated() where index < widths.count {
                let w = min(widths[index], x + width - cx)
                if w <= 0 { break }
                buffer.putPadded(cell.text, x: cx, y: y + 1 + offset, width: w,
                                 role: isSelected ? .selected : (cell.role ?? .normal), alignRight: columns[index].alignRight)
                cx += widths[index] + 1
            }
            if isSelected { buffer.fill(x: x, y: y + 1 + offset, width: width, height: 1, role: .selected, clear: false) }
        }
        if rows.count > visible {
            let position = "\((selection ?? top) + 1)/\(rows.count)"
            buffer.put(position, x: x + width - position.count, y: y, role: .muted)
        }
    }
}
