import Foundation

/// Latency (p50/p90/p99 and integration p50) as braille lines, request count and 4xx/5xx as bars.
enum ChartsView {
    static func draw(_ buffer: inout ScreenBuffer, _ state: ConsoleState, _ body: (x: Int, y: Int, width: Int, height: Int)) {
        guard let target = state.data.chartTarget else {
            buffer.put("No stage to chart yet: deploy an API, send traffic, or pick a row in Overview or APIs and press Enter",
                       x: 2, y: body.y + 1, role: .muted, maxWidth: body.width - 4)
            return
        }
        let points = state.data.chart
        let x = body.x + 1, width = body.width - 2
        // Series in drawing order (the last on top); without colour each has its own glyph.
        let series: [(name: String, values: [Double?], role: ColorRole, glyph: Character)] = [
            ("integration p50", points.map(\.integrationP50), .chartIntegration, "."), ("p50", points.map(\.p50), .chartP50, "o"),
            ("p90", points.map(\.p90), .chartP90, "+"), ("p99", points.map(\.p99), .chartP99, "*"),
        ]
        var lx = x + buffer.put("Latency \(target.label) (log scale)  ", x: x, y: body.y, role: .title)
        for s in [series[1], series[2], series[3], series[0]] {
            lx += buffer.put("\(state.monochrome ? String(s.glyph) : "━") \(s.name)  ", x: lx, y: body.y, role: s.role)
        }
        let latencyHeight = max(4, (body.height - 3) * 55 / 100)
        let xLabels = ("-\(state.window.label)", "now")
        Charts.lines(&buffer, x: x, y: body.y + 1, width: width, height: latencyHeight,
                     series: series.map { ($0.values, $0.role) }, format: { Format.ms($0) }, xLabels: xLabels,
                     logScale: true, glyphs: state.monochrome ? series.map(\.glyph) : nil)
        let barsY = body.y + 1 + latencyHeight + 1
        let remaining = body.y + body.height - barsY
        guard remaining >= 4 else { return }
        let countHeight = max(2, remaining / 2 - 1)
        let total = points.reduce(0) { $0 + $1.count }
        let c4 = points.reduce(0) { $0 + $1.count4xx }, c5 = points.reduce(0) { $0 + $1.count5xx }
        buffer.put("Requests per \(state.window.bucket)s  total \(total)", x: x, y: barsY - 1 + 1 - 1, role: .title)
        Charts.bars(&buffer, x: x, y: barsY, width: width, height: countHeight, values: points.map(\.count), role: .barCount, label: "req")
        let errorsY = barsY + countHeight
        buffer.put("4xx \(c4) (\(Format.percent(c4, of: total)))  ", x: x, y: errorsY, role: .bar4xx)
        buffer.put("5xx \(c5) (\(Format.percent(c5, of: total)))  ", x: x + 24, y: errorsY, role: .bar5xx)
        let c401 = points.reduce(0) { $0 + $1.count401 }, c403 = points.reduce(0) { $0 + $1.count403 }
        if width >= 80 {
            buffer.put("401 \(c401) (\(Format.percent(c401, of: total)))  403 \(c403) (\(Format.percent(c403, of: total)))", x: x + 48, y: errorsY,
                       role: c401 + c403 > 0 ? .bar4xx : .muted)
        }
        let errorHeight = max(1, (body.y + body.height - errorsY - 1) / 2)
        Charts.bars(&buffer, x: x, y: errorsY + 1, width: width, height: errorHeight, values: points.map(\.count4xx), role: .bar4xx, label: "4xx")
        Charts.bars(&buffer, x: x, y: errorsY + 1 + errorHeight, width: width, height: errorHeight, values: points.map(\.count5xx),
                    role: .bar5xx, label: "5xx")
    }
}
