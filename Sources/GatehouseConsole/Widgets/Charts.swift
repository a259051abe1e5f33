import Foundation

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

    /// A line chart of several series sharing one y axis, with a time axis. Braille dots in colour; with
    /// `glyphs` (a theme without colour), one character per cell and each series its own glyph. On a log scale
    /// the axis runs from the decade below the smallest positive value to the decade above the largest, so a
    /// 0.5 ms p50 and a 900 ms p99 are both readable.
    static func lines(_ buffer: inout ScreenBuffer, x: Int, y: Int, width: Int, height: Int,
                      series: [(values: [Double?], role: ColorRole)], format: (Double) -> String, xLabels: (String, String),
                      logScale: Bool = false, glyphs: [Character]? = nil) {
        let labelWidth = 8
        let plotX = x + labelWidth + 1
        let plotWidth = width - labelWidth - 1
        let plotHeight = height - 1
        guard plotWidth > 2, plotHeight > 1 else { return }
        let all = series.flatMap { $0.values.compactMap { $0 } }
        let axis = Axis(values: all, logScale: logScale)
        for row in 0..<plotHeight { buffer.put("│", x: plotX - 1, y: y + row, role: .border) }
        buffer.putPadded(format(axis.top), x: x, y: y, width: labelWidth, role: .muted, alignRight: true)
        buffer.putPadded(format(axis.middle), x: x, y: y + plotHeight / 2, width: labelWidth, role: .muted, alignRight: true)
        buffer.putPadded(format(axis.bottom), x: x, y: y + plotHeight - 1, width: labelWidth, role: .muted, alignRight: true)
        for column in 0..<plotWidth { buffer.put("─", x: plotX + column, y: y + plotHeight, role: .border) }
        buffer.put("└", x: plotX - 1, y: y + plotHeight, role: .border)
        buffer.put(xLabels.0, x: plotX, y: y + plotHeight, role: .muted)
        buffer.put(xLabels.1, x: plotX + plotWidth - xLabels.1.count, y: y + plotHeight, role: .muted)

        if let glyphs {
            for (n, s) in series.enumerated() where !s.values.isEmpty {
                let glyph = String(glyphs[n % glyphs.count])
                for column in 0..<plotWidth {
                    guard let value = s.values[min(s.values.count - 1, column * s.values.count / plotWidth)] else { continue }
                    let row = plotHeight - 1 - min(plotHeight - 1, Int(axis.fraction(value) * Double(plotHeight - 1) + 0.5))
                    buffer.put(glyph, x: plotX + column, y: y + row, role: s.role)
                }
            }
            return
        }
        let dotsWide = plotWidth * 2, dotsHigh = plotHeight * 4
        var bits = [UInt8](repeating: 0, count: plotWidth * plotHeight)
        var roles = [ColorRole?](repeating: nil, count: plotWidth * plotHeight)
        for s in series where !s.values.isEmpty {
            var previous: (Int, Int)?
            for dx in 0..<dotsWide {
                let index = min(s.values.count - 1, dx * s.values.count / dotsWide)
                guard let value = s.values[index] else { previous = nil; continue }
                let dy = dotsHigh - 1 - min(dotsHigh - 1, Int(axis.fraction(value) * Double(dotsHigh - 1)))
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

    /// A chart's y axis: linear from 0, or logarithmic between whole decades.
    struct Axis {
        let bottom: Double
        let top: Double
        let logScale: Bool

        init(values: [Double], logScale: Bool) {
            self.logScale = logScale
            let largest = max(values.max() ?? 0, 0.001)
            if logScale {
                let smallest = max(values.filter { $0 > 0 }.min() ?? largest, 0.001)
                let low = pow(10, (log10(smallest)).rounded(.down))
                var high = pow(10, (log10(largest)).rounded(.up))
                if high <= low { high = low * 10 }
                bottom = low
                top = high
            } else {
                bottom = 0
                top = largest
            }
        }

        var middle: Double { logScale ? pow(10, (log10(bottom) + log10(top)) / 2) : top / 2 }

        /// Where `value` sits between the bottom (0) and the top (1).
        func fraction(_ value: Double) -> Double {
            if logScale {
                guard value > bottom else { return 0 }
                return min(1, (log10(value) - log10(bottom)) / (log10(top) - log10(bottom)))
            }
            return min(1, max(0, value / top))
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
