import Foundation
@testable import GatehouseConsole
import Testing

/// `render(state, size)` for every view at 80×24 and 160×48, text and colour roles, against files under
/// Snapshots/. `GATEHOUSE_RECORD_SNAPSHOTS=1 swift test --filter SnapshotTests` rewrites them after a deliberate change.
@Suite struct SnapshotTests {
    static let sizes = [(80, 24), (160, 48)]

    static var snapshotDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    }

    func check(_ name: String, _ state: ConsoleState) throws {
        for (width, height) in Self.sizes {
            let buffer = ConsoleRenderer.render(state, width: width, height: height)
            let text = buffer.lines.joined(separator: "\n") + "\n--- roles ---\n" + buffer.roleLines.joined(separator: "\n") + "\n"
            let file = Self.snapshotDirectory.appendingPathComponent("\(name)-\(width)x\(height).txt")
            if ProcessInfo.processInfo.environment["GATEHOUSE_RECORD_SNAPSHOTS"] == "1" {
                try FileManager.default.createDirectory(at: Self.snapshotDirectory, withIntermediateDirectories: true)
                try text.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: file, encoding: .utf8)
            if expected != text {
                let got = text.split(separator: "\n", omittingEmptySubsequences: false)
                let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
                let first = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }
                Issue.record("\(name) \(width)x\(height) differs from \(file.lastPathComponent) at line \((first?.offset ?? 0) + 1):\n got: \(first?.element.0 ?? "")\nwant: \(first?.element.1 ?? "")")
            }
        }
    }

    @Test(arguments: ConsoleView.allCases)
    func everyView(_ view: ConsoleView) throws {
        var state = ConsoleFixtures.state
        state.view = view
        try check("view-\(view.command)", state)
    }

    /// What must stay readable at 80×24, whatever the snapshots hold: the identifying columns, the state badges,
    /// every view's number and the way out; and at 200×60 all of it in full.
    @Test func eightyColumnsKeepWhatIdentifiesARowAndTheStateBadges() {
        func screen(_ view: ConsoleView, _ width: Int, _ height: Int, _ change: (inout ConsoleState) -> Void = { _ in }) -> [String] {
            var state = ConsoleFixtures.state
            state.view = view
            change(&state)
            return ConsoleRenderer.render(state, width: width, height: height).lines
        }
        let throttles = screen(.throttles, 80, 24).joined(separator: "\n")
        #expect(throttles.contains("GET /pets/{petId}"), "\(throttles)")
        let apis = screen(.apis, 80, 24)
        #expect(apis.contains { $0.contains("/pets/{petId}") && $0.contains("GET") }, "\(apis.joined(separator: "\n"))")
        #expect(apis.contains { $0.contains("› prod") && $0.contains("/pets ") }, "the stage shows under API › STAGE")
        #expect(apis.contains { $0.contains("/pets ") && $0.contains(" PROXY") && !$0.contains("HTTP_…") }, "a cut HTTP_PROXY is not HTTP_…")
        let audit = screen(.audit, 80, 24).joined(separator: "\n")
        #expect(audit.contains("restapis/") && audit.contains("/pets/{petId}/GET"), "the target's start and end: \(audit)")
        let keys = screen(.keys, 80, 24)
        #expect(keys.contains { $0.contains("gold") && $0.contains("100/s b200") && $0.contains("100000/month") }, "\(keys.joined(separator: "\n"))")
        #expect(keys.contains { $0.contains("acme-mobile") && $0.contains("enabled") && $0.contains("8500") }, "\(keys.joined(separator: "\n"))")
        #expect(keys.contains { $0.contains("globex") && $0.contains("disabled") }, "\(keys.joined(separator: "\n"))")
        #expect(keys.contains { $0.contains("orphan") }, "a key on no plan is listed too")
        let alarms = screen(.alarms, 80, 24).joined(separator: "\n")
        #expect(alarms.contains("petstore-5xx") && alarms.contains("ALARM ●"))
        let longName = screen(.alarms, 80, 24) { $0.data.alarms[0].rule.name = "checkout-5xx-errors-over-threshold" }
        #expect(longName.contains { $0.contains("checkout-5xx-errors-over-threshold") && $0.contains("ALARM ●") },
                "an alarm's whole name beside its state: \(longName.joined(separator: "\n"))")
        for view in ConsoleView.allCases {
            let lines = screen(view, 80, 24) { $0.frozen = true; $0.readOnly = true }
            #expect(lines[0].contains("FROZEN") && lines[0].contains("read-only") && lines[0].contains(" 5m "), "\(view): \(lines[0])")
            #expect(lines[0].contains("ALARM unacknowledged"), "\(view): \(lines[0])")
            #expect((1...9).allSatisfy { lines[1].contains(" \($0) ") }, "every view's number: \(lines[1])")
            #expect(lines[1].contains(view.title), "the current view by name: \(lines[1])")
            #expect(lines[23].contains("q:quit") && lines[23].contains("?:help"), "\(view): \(lines[23])")
        }
        let wide = screen(.throttles, 200, 60)
        #expect(wide[0].contains("pid 4242") && wide[0].contains("store"), "\(wide[0])")
        #expect(wide[1].contains("9 Audit") && wide[1].contains("1 Overview"))
        #expect(wide[3].contains("USE") && wide[3].contains("BURST"))
        #expect(wide[59].contains("Z:freeze"))
    }

    @Test func emptyStore() throws {
        var state = ConsoleState(operatorName: "alice")
        state.data.now = ConsoleFixtures.now
        for view in [ConsoleView.overview, .logs, .charts] {
            state.view = view
            try check("empty-\(view.command)", state)
        }
    }

    @Test func workerDown() throws {
        var state = ConsoleFixtures.state
        state.data.workers[0].lastBeat = ConsoleFixtures.now.addingTimeInterval(-42)
        try check("worker-down", state)
    }

    @Test func telemetryTroubleShowsInTheHeader() {
        var state = ConsoleFixtures.state
        let calm = ConsoleRenderer.render(state, width: 160, height: 48).lines[0]
        #expect(!calm.contains("telemetry"))
        state.data.workers[0].telemetryErrors = 3
        state.data.workers[0].telemetryDropped = 7
        let header = ConsoleRenderer.render(state, width: 160, height: 48).lines[0]
        #expect(header.contains("telemetry: 3 write errors, 7 dropped"), "\(header)")
        let roles = Array(ConsoleRenderer.render(state, width: 160, height: 48).roleLines[0])
        let column = header.distance(from: header.startIndex, to: header.range(of: "telemetry:")?.lowerBound ?? header.endIndex)
        #expect(column < roles.count && roles[column] == "e", "shown in the error role")
    }

    @Test func filteredLog() throws {
        var state = ConsoleFixtures.state
        state.view = .logs
        state.filters[.logs] = "status:5xx"
        try check("logs-filtered", state)
        state.filters[.logs] = "pets/(["
        try check("logs-filter-invalid", state)
    }

    @Test func overlays() throws {
        var state = ConsoleFixtures.state
        state.view = .throttles
        state.form = ThrottleForm(apiId: "a1b2c3d4e5", stage: "prod", methodKey: "/pets/{petId}/GET",
                                  before: .init(rate: 5, burst: 10), rate: "2", burst: "4", preview: 37, previewFor: .init(rate: 2, burst: 4))
        try check("throttle-form", state)
        state.form = nil
        state.view = .logs
        state.logDetail = ConsoleFixtures.logs[8]
        try check("log-detail", state)
        state.logDetail = nil
        state.help = true
        try check("help-logs", state)
        state.help = false
        state.view = .alarms
        state.alarmForm = AlarmForm(rule: nil, defaultApi: "a1b2c3d4e5", defaultStage: "prod")
        state.alarmForm?.fields[0].text = "slow"
        state.alarmForm?.problems = ["--period must be 10 or a multiple of 60 seconds, got 45"]
        try check("alarm-form", state)
    }
}

/// The latency chart on a log scale: a fast p50 stays off the floor next to a slow p99; without colour each
/// series is drawn with its own glyph.
@Suite struct LatencyChartTests {
    func state(monochrome: Bool) -> ConsoleState {
        var state = ConsoleFixtures.state
        state.view = .charts
        state.monochrome = monochrome
        state.data.chart = (0..<60).map { i in
            ChartPoint(start: 1_800_000_000 - 300 + Int64(i) * 5, p50: 0.5, p90: 40, p99: 900, integrationP50: 0.3,
                       integrationP99: 800, count: 100, count4xx: 0, count5xx: 0)
        }
        return state
    }

    /// The rows (screen y) where cells of `role` appear, and the plot's first and last rows.
    func rows(of role: ColorRole, in buffer: ScreenBuffer) -> (rows: Set<Int>, top: Int, bottom: Int)? {
        guard let corner = (0..<buffer.height).first(where: { y in (0..<buffer.width).contains { buffer[$0, y].character == "└" } }) else { return nil }
        let top = (0..<corner).first { y in (0..<buffer.width).contains { buffer[$0, y].character == "│" } } ?? 0
        var rows = Set<Int>()
        for y in top..<corner {
            for x in 0..<buffer.width where buffer[x, y].role == role && buffer[x, y].character != " " { rows.insert(y) }
        }
        return (rows, top, corner - 1)
    }

    @Test func aHalfMillisecondP50IsReadableBesideANineHundredMillisecondP99() throws {
        let buffer = ConsoleRenderer.render(state(monochrome: false), width: 120, height: 40)
        let p50 = try #require(rows(of: .chartP50, in: buffer))
        let p99 = try #require(rows(of: .chartP99, in: buffer))
        #expect(!p50.rows.isEmpty && !p99.rows.isEmpty)
        #expect(p50.rows.allSatisfy { $0 < p50.bottom - 1 }, "the p50 line is off the floor: rows \(p50.rows.sorted()), floor \(p50.bottom)")
        #expect((p50.rows.min() ?? 0) - (p99.rows.max() ?? 0) >= 5, "and well apart from p99: \(p50.rows.sorted()) vs \(p99.rows.sorted())")
        let text = buffer.lines.joined(separator: "\n")
        #expect(text.contains("log scale"))
        #expect(text.contains("1.0s") && text.contains("0.10ms"), "decade labels top and bottom")
    }

    @Test func withoutColourEachSeriesHasItsOwnGlyph() throws {
        let buffer = ConsoleRenderer.render(state(monochrome: true), width: 120, height: 40)
        let plot = buffer.lines.joined(separator: "\n")
        #expect(!plot.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }, "no braille dots to tell apart by colour")
        for (glyph, role) in [("o", ColorRole.chartP50), ("+", .chartP90), ("*", .chartP99), (".", .chartIntegration)] {
            let found = (0..<buffer.height).contains { y in (0..<buffer.width).contains { buffer[$0, y].character == Character(glyph) && buffer[$0, y].role == role } }
            #expect(found, "\(role) drawn as '\(glyph)'")
            #expect(plot.contains("\(glyph) \(role == .chartIntegration ? "integration p50" : role == .chartP50 ? "p50" : role == .chartP90 ? "p90" : "p99")"), "legend shows '\(glyph)'")
        }
    }
}
