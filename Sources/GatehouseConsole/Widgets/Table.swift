/// A column of a table: a title, a width (0 = share of what is left), alignment, and how it gives way on a
/// narrow screen: columns of the lowest priority shrink to their `minWidth` first, then go; what identifies a
/// row (method, resource, stage, target) has the highest priority and gives way last.
struct TableColumn {
    var title: String
    var width: Int
    var alignRight = false
    var priority = 5
    /// The narrowest it may become before it is dropped (nil: a fixed column does not shrink; a flexible one
    /// needs its title's width).
    var minWidth: Int?

    init(title: String, width: Int, alignRight: Bool = false, priority: Int = 5, minWidth: Int? = nil) {
        self.title = title
        self.width = width
        self.alignRight = alignRight
        self.priority = priority
        self.minWidth = minWidth
    }

    var narrowest: Int { minWidth ?? (width > 0 ? width : max(4, title.count)) }
}

/// A cell of a table row, with an optional role of its own. `fit` writes the text for the width the column
/// got (a tree cell that keeps the stage and shortens the API name, say).
struct TableCell {
    var text: String
    var role: ColorRole?
    var fit: ((Int) -> String)?

    init(_ text: String, _ role: ColorRole? = nil, fit: ((Int) -> String)? = nil) {
        self.text = text
        self.role = role
        self.fit = fit
    }

    func text(for width: Int) -> String { fit?(width) ?? text }
}

/// Draws a scrolling table with a header row and a selected row kept in view.
enum Table {
    /// The width each column gets in `width` cells (0: dropped). Columns give way by priority, lowest first:
    /// at each level they shrink to their narrowest, then the rightmost of them go, until the table fits;
    /// flexible columns share what is left.
    static func layout(_ columns: [TableColumn], width: Int) -> [Int] {
        var widths = columns.map { $0.width > 0 ? $0.width : $0.narrowest }
        func total() -> Int {
            let shown = widths.filter { $0 > 0 }
            return shown.reduce(0, +) + max(0, shown.count - 1)
        }
        for level in Set(columns.map(\.priority)).sorted() where total() > width {
            let atLevel = columns.indices.filter { columns[$0].priority == level }
            for index in atLevel.reversed() where total() > width {
                widths[index] = max(columns[index].narrowest, widths[index] - (total() - width))
            }
            for index in atLevel.reversed() where total() > width && widths.filter({ $0 > 0 }).count > 1 {
                widths[index] = 0
            }
        }
        let flexible = columns.indices.filter { columns[$0].width == 0 && widths[$0] > 0 }
        let left = width - total()
        if left > 0, !flexible.isEmpty {
            for (n, index) in flexible.enumerated() { widths[index] += left / flexible.count + (n < left % flexible.count ? 1 : 0) }
        }
        return widths
    }

    static func draw(_ buffer: inout ScreenBuffer, x: Int, y: Int, width: Int, height: Int, columns: [TableColumn],
                     rows: [[TableCell]], selected: Int?, empty: String) {
        guard height > 0, width > 0 else { return }
        let widths = layout(columns, width: width)
        var column = x
        for (index, c) in columns.enumerated() where widths[index] > 0 {
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
            for (index, cell) in row.enumerated() where index < widths.count && widths[index] > 0 {
                let w = min(widths[index], x + width - cx)
                if w <= 0 { break }
                buffer.putPadded(cell.text(for: w), x: cx, y: y + 1 + offset, width: w,
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
