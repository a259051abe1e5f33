import ArgumentParser
import Foundation
import GatehouseConsole
import GatehouseStore
import GatehouseTerminal

/// `gatehouse console`: the operations dashboard over the store.
struct Console: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Open the operations console (ncurses) over the store.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "Seconds between refreshes.") var refresh: Double = 1
    @Option(help: "Theme name (Themes/NAME.yaml) or path to a theme file.") var theme: String?
    @Option(help: "Name recorded in the audit log for changes made here (default: $USER).") var `operator`: String?
    @Flag(help: "Refuse every write.") var readOnly = false
    @Flag(help: "No terminal bell when an alarm fires.") var noBell = false
    @Option(help: "Time window to start with: 5m, 15m, 1h, 6h or 24h.") var window = WindowOption(.m5)
    @Option(help: "Measure instead of showing: first frame and this many refreshes at 160×48, printed in ms.") var bench: Int?
    @Option(help: "With --bench: seconds between refreshes, so that each one sees what a live worker wrote meanwhile.")
    var benchInterval: Double = 0
    @Option(help: "With --bench: the view to measure, by its number key (1 Overview … 3 Logs … 9 Audit).") var benchView = 1

    func validate() throws {
        if !(refresh >= 0.1) { throw ValidationError("--refresh must be at least 0.1 seconds, got \(refresh)") }
        if ConsoleView(rawValue: benchView) == nil { throw ValidationError("--bench-view takes a view's number key, 1 to 9; got \(benchView)") }
    }

    func run() async throws {
        try await reportingErrors {
            let path = storeOptions.path
            // A missing, foreign or newer store is an error before the screen is taken; a locked one is not (the
            // console shows that it is waiting).
            try Store.validate(path: path, access: readOnly ? .readOnly : .readWrite)
            let (chosen, notice) = try ConsoleOptions.theme(theme)
            var state = ConsoleState(readOnly: readOnly, operatorName: self.operator ?? ConsoleOptions.user, themeName: chosen.name)
            if let notice {
                state.message = notice
                state.messageIsError = true
            }
            state.window = window.window
            if let bench {
                state.view = ConsoleView(rawValue: benchView) ?? .overview
                ConsoleOptions.benchmark(path: path, state: state, theme: chosen, refreshes: bench, interval: benchInterval)
                return
            }
            try await ConsoleOptions.runConsole(path: path, refresh: refresh, state: state, theme: chosen, bell: !noBell)
        }
    }
}

/// `--window 5m`: a `TimeWindow` by its label. A wrapper, because ArgumentParser shows an enum's raw value
/// (300) as the default in `--help`.
struct WindowOption: ExpressibleByArgument, Sendable {
    var window: TimeWindow

    init(_ window: TimeWindow) {
        self.window = window
    }

    init?(argument: String) {
        guard let match = TimeWindow.allCases.first(where: { $0.label == argument }) else { return nil }
        window = match
    }

    static var allValueStrings: [String] { TimeWindow.allCases.map(\.label) }

    var defaultValueDescription: String { window.label }
}

/// Shared by `console` and `demo`.
enum ConsoleOptions {
    static var user: String { Actor.userName }

    /// The theme to start with: `--theme`, else `NO_COLOR`'s attributes-only theme, else `default`.
    /// A requested theme that cannot be loaded is an error; the default one falls back to the built-in theme,
    /// and `notice` says so (the console shows it on its message line).
    static func theme(_ requested: String?) throws -> (theme: Theme, notice: String?) {
        if let requested { return (try ThemeLoader.load(requested), nil) }
        if let noColor = ProcessInfo.processInfo.environment["NO_COLOR"], !noColor.isEmpty { return (Theme.noColor, nil) }
        return ThemeLoader.resolve("default")
    }

    /// Runs the console on its own thread (curses is single-threaded and the loop blocks), until it quits
    /// or `stop` turns true.
    static func runConsole(path: String, refresh: Double, state: ConsoleState, theme: Theme, bell: Bool = true,
                           stop: @escaping @Sendable () -> Bool = { false }) async throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw ValidationError("the console needs a terminal (stdin and stdout are not a TTY)")
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let thread = Thread {
                let terminal = CursesTerminal()
                let app = ConsoleApp(terminal: terminal, storePath: path, refresh: refresh, state: state, theme: theme,
                                     themes: { try ThemeLoader.load($0) })
                app.bellEnabled = bell
                app.run(shouldStop: stop)
                terminal.shutdown()
                continuation.resume()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// `console --bench N`: the first frame (open, query, render) and N refreshes (query + render), in ms.
    static func benchmark(path: String, state: ConsoleState, theme: Theme, refreshes: Int, interval: Double) {
        let terminal = MemoryTerminal(width: 160, height: 48)
        let started = Date()
        let app = ConsoleApp(terminal: terminal, storePath: path, refresh: 1, state: state, theme: theme, themes: { try ThemeLoader.load($0) })
        app.reload()
        terminal.draw(ConsoleRenderer.render(app.state, width: 160, height: 48))
        let first = Date().timeIntervalSince(started) * 1000
        var times: [Double] = []
        for _ in 0..<max(1, refreshes) {
            if interval > 0 { Thread.sleep(forTimeInterval: interval) }
            let t = Date()
            app.reload()
            terminal.draw(ConsoleRenderer.render(app.state, width: 160, height: 48))
            times.append(Date().timeIntervalSince(t) * 1000)
        }
        times.sort()
        let median = times[times.count / 2]
        let worst = times.last ?? 0
        print(String(format: "first frame %.1f ms; refresh median %.2f ms, worst %.2f ms (%d refreshes, 160x48)", first, median, worst, times.count))
    }
}
