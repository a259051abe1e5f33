/// Sparklines, braille line charts and block bar charts, drawn into a `ScreenBuffer`.
enum Charts {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// One row of blocks scaled to the largest value; zero is a space, anything else at least "▁".
    static func sparkline(_ values: [Int], width: Int) -> String {
        guard width > 0, !values.isEmpty else { return "" }
        let sampled = resample(values.map(Double.init), to: width)
        let top = sampled.max() ?? 0
        return String(sampled.map { v -> Character in
            guard v > 0, top > 0 else { return " " }
            return blocks[min(7, max(0, Int((v / top) * 7.999)))]
        })
    }

    /// Sums `values` into `count` buckets (or spreads them when there are fewer values).
    static func resample(_ values: [Double], to count: Int) -> [Double] {
        guard count > 0, !values.isEmpty else { return [] }
        if values.count <= count {
            return (0..<count).map { values[min(values.count - 1, $0 * values.count / count)] }
        }
        var result = [Double](repeating: 0, count: count)
        for (i, v) in values.enumerated() { result[min(count - 1, i * count / values.count)] += v }
        return result
    }

    /// A braille line chart of several series sharing one y axis (labelled in `unit`), with a time axis.
    static func lines(_ buffer: inout ScreenBuffer, x: Int, y: Int, width: Int, height: Int,
                      series: [(values: [Double?], role: ColorRole)], format: (Double) -> String, xLabels: (String, String)) {
        let labelWidth = 8
        let plotX = x + labelWidth + 1
        let plotWidth = width - labelWidth - 1
        let plotHeight = height - 1
        guard plotWidth > 2, plotHeight > 1 else { return }
        let top = max(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0, 0.001)
        for row in 0..<plotHeight { buffer.put("│", x: plotX - 1, y: y + row, role: .border) }
        buffer.putPadded(format(top), x: x, y: y, width: labelWidth, role: .muted, alignRight: true)
        buffer.putPadded(format(top / 2), x: x, y: y + plotHeight / 2, width: labelWidth, role: .muted, alignRight: true)
        buffer.putPadded(format(0), x: x, y: y + plotHeight - 1, width: labelWidth, role: .muted, alignRight: true)
        for column in 0..<plotWidth { buffer.put("─", x: plotX + column, y: y + plotHeight, role: .border) }
        buffer.put("└", x: plotX - 1, y: y + plotHeight, role: .border)
        buffer.put(xLabels.0, x: plotX, y: y + plotHeight, role: .muted)
        buffer.put(xLabels.1, x: plotX + plotWidth - xLabels.1.count, y: y + plotHeight, role: .muted)

        let dotsWide = plotWidth * 2, dotsHigh = plotHeight * 4
        var bits = [UInt8](repeating: 0, count: plotWidth * plotHeight)
        var roles = [ColorRole?](repeating: nil, count: plotWidth * plotHeight)
        for s in series where !s.values.isEmpty {
            var previous: (Int, Int)?
            for dx in 0..<dotsWide {
                let index = min(s.values.count - 1, dx * s.values.count / dotsWide)
                guard let value = s.values[index] else { previous = nil; continue }
                let dy = dotsHigh - 1 - min(dotsHigh - 1, Int((value / top) * Double(dotsHigh - 1)))
                // Join to the previous dot so steep changes stay visible.
                let from = previous?.1 ?? dy
                for yy in min(from, dy)...max(from, dy) {
                    let cell = (yy / 4) * plotWidth + dx / 2
                    bits[cell] |= brailleBit(dx % 2, yy % 4)
                    roles[cell] = s.role
                }
                previous = (dx, dy)
            }
        }
        for row in 0..<plotHeight {
            for column in 0..<plotWidth where bits[row * plotWidth + column] != 0 {
                let scalar = UnicodeScalar(0x2800 + UInt32(bits[row * plotWidth + column])) ?? " "
                buffer.put(String(Character(scalar)), x: plotX + column, y: y + row, role: roles[row * plotWidth + column] ?? .normal)
            }
        }
    }

    static func brailleBit(_ x: Int, _ y: Int) -> UInt8 {
        switch (x, y) {
        case (0, 0): return 0x01
        case (0, 1): return 0x02
        case (0, 2): return 0x04
        case (1, 0): return 0x08
        case (1, 1): return 0x10
        case (1, 2): return 0x20
        case (0, 3): return 0x40
        default: return 0x80
        }
    }

    /// Vertical block bars, one column per bucket, scaled to the largest value; any non-zero value shows.
    static func bars(_ buffer: inout ScreenBuffer, x: Int, y: Int, width: Int, height: Int, values: [Int], role: ColorRole,
                     label: String) {
        let labelWidth = 8
        let plotX = x + labelWidth + 1
        let plotWidth = width - labelWidth - 1
        guard plotWidth > 0, height > 0 else { return }
        let sampled = resample(values.map(Double.init), to: plotWidth)
        let top = max(sampled.max() ?? 0, 1)
        buffer.putPadded(Format.rate(top), x: x, y: y, width: labelWidth, role: .muted, alignRight: true)
        buffer.putPadded(label, x: x, y: y + height - 1, width: labelWidth, role: .muted, alignRight: true)
        for row in 0..<height { buffer.put("│", x: plotX - 1, y: y + row, role: .border) }
        for (column, value) in sampled.enumerated() where value > 0 {
            let eighths = max(1, Int((value / top) * Double(height * 8)))
            for row in 0..<height {
                let fromBottom = height - 1 - row
                let level = eighths - fromBottom * 8
                guard level > 0 else { continue }
                buffer.put(String(blocks[min(7, level - 1)]), x: plotX + column, y: y + row, role: role)
            }
        }
    }
}
