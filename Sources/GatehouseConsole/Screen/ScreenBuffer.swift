/// The console's output: a grid of cells (one character and a colour role each). Views draw into it;
/// the terminal layer diffs two buffers and writes only what changed. Knows nothing of curses.
public struct ScreenBuffer: Sendable, Equatable {
    /// One screen position.
    public struct Cell: Sendable, Equatable {
        public var character: Character
        public var role: ColorRole

        public init(_ character: Character = " ", role: ColorRole = .normal) {
            self.character = character
            self.role = role
        }
    }

    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` from (x, y), clipped at `maxWidth` columns and the right edge; returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: ColorRole = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var column = x
        for character in text {
            if column >= limit { break }
            if column >= 0 { self[column, y] = Cell(character, role: role) }
            column += 1
        }
        return max(0, column - x)
    }

    /// Writes `text` padded with spaces (or cut with an ellipsis) to exactly `width` columns.
    public mutating func putPadded(_ text: String, x: Int, y: Int, width columns: Int, role: ColorRole = .normal,
                                   alignRight: Bool = false) {
        put(Self.fit(text, columns, alignRight: alignRight), x: x, y: y, role: role, maxWidth: columns)
    }

    /// Paints a rectangle's role (and blanks it when `clear`).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, role: ColorRole, clear: Bool = true) {
        for row in max(0, y)..<min(height, y + h) {
            for column in max(0, x)..<min(width, x + w) {
                if clear { self[column, row] = Cell(" ", role: role) } else { self[column, row].role = role }
            }
        }
    }

    /// A single-line box.
    public mutating func box(x: Int, y: Int, width w: Int, height h: Int, title: String? = nil, role: ColorRole = .border) {
        guard w >= 2, h >= 2 else { return }
        for column in x..<(x + w) {
            put("─", x: column, y: y, role: role)
            put("─", x: column, y: y + h - 1, role: role)
        }
        for row in y..<(y + h) {
            put("│", x: x, y: row, role: role)
            put("│", x: x + w - 1, y: row, role: role)
        }
        put("┌", x: x, y: y, role: role)
        put("┐", x: x + w - 1, y: y, role: role)
        put("└", x: x, y: y + h - 1, role: role)
        put("┘", x: x + w - 1, y: y + h - 1, role: role)
        if let title, w > 4 { put(" \(title) ", x: x + 2, y: y, role: .title, maxWidth: w - 4) }
    }

    /// The screen as text lines (trailing spaces kept, so every line is `width` wide).
    public var lines: [String] {
        (0..<height).map { row in String((0..<width).map { self[$0, row].character }) }
    }

    /// The roles as one letter per cell, for snapshots.
    public var roleLines: [String] {
        (0..<height).map { row in String((0..<width).map { self[$0, row].role.letter }) }
    }

    /// `text` cut or padded to `columns`; a cut ends with "…".
    public static func fit(_ text: String, _ columns: Int, alignRight: Bool = false) -> String {
        guard columns > 0 else { return "" }
        if text.count > columns { return String(text.prefix(columns - 1)) + "…" }
        let padding = String(repeating: " ", count: columns - text.count)
        return alignRight ? padding + text : text + padding
    }
}
