import Foundation
import GatehouseCore
import GatehouseStore

/// What the console needs from a terminal; `GatehouseTerminal` implements it with ncurses, tests with memory.
public protocol TerminalBackend: AnyObject {
    /// Columns and rows now.
    var size: (width: Int, height: Int) { get }
    /// Shows a frame, writing only what changed since the last one.
    func draw(_ buffer: ScreenBuffer)
    /// The next key, waiting at most `timeoutMs`; `nil` on time-out. A resize is reported as `.resize`.
    func nextInput(timeoutMs: Int) -> TerminalInput?
    /// Switches colours.
    func apply(_ theme: Theme)
    /// Rings the terminal bell.
    func bell()
}

extension TerminalBackend {
    public func bell() {}
}

/// A key or a change of terminal size.
public enum TerminalInput: Sendable, Equatable {
    case key(Key)
    case resize
}

/// The console's loop: refresh from the store once per `refresh` (cheap queries only), render, blit, read keys
/// without blocking the refresh, and carry out effects — the only place that writes the store. Writes run off
/// the loop on `ConsoleWriter`, so a store another process holds locked never freezes the screen.
public final class ConsoleApp {
    public private(set) var state: ConsoleState
    let terminal: TerminalBackend
    let storePath: String
    let refresh: TimeInterval
    let actor: Actor
    var store: Store?
    var loader: ConsoleDataLoader?
    var lastLogId: Int64?
    /// Rows were logged that the Logs view has not read (it was elsewhere, paused or frozen).
    var logsBehind = true
    var theme: Theme
    let themes: (String) throws -> Theme
    /// Rings the bell when an alarm newly fires unacknowledged.
    public var bellEnabled = true
    var firing: Set<String>?
    let writer: ConsoleWriter
    var loadedOnce = false

    public init(terminal: TerminalBackend, storePath: String, refresh: TimeInterval, state: ConsoleState, theme: Theme,
                themes: @escaping (String) throws -> Theme) {
        self.terminal = terminal
        self.storePath = storePath
        self.refresh = refresh
        self.state = state
        self.state.monochrome = !theme.usesColor
        self.theme = theme
        self.themes = themes
        actor = Actor(name: state.operatorName, source: "console")
        writer = ConsoleWriter(storePath: storePath)
    }

    /// Runs until the operator quits (or `shouldStop` says so, checked every tick).
    public func run(shouldStop: () -> Bool = { false }) {
        terminal.apply(theme)
        var nextRefresh = Date.distantPast
        var dirty = true
        if !state.readOnly && store == nil {
            // Opened (and upgraded, if older) off the loop; the screen says it is waiting meanwhile.
            writer.prepare()
        }
        if !loadedOnce {
            // The first frame comes before the first query: a slow or locked store shows as waiting, not blank.
            state.waitingForStore = true
            let size = terminal.size
            terminal.draw(ConsoleRenderer.render(state, width: size.width, height: size.height))
        }
        while !state.quit && !shouldStop() {
            if drainResults(nextRefresh: &nextRefresh) { dirty = true }
            if Date() >= nextRefresh {
                reload()
                nextRefresh = Date().addingTimeInterval(refresh)
                dirty = true
            }
            if dirty {
                let size = terminal.size
                terminal.draw(ConsoleRenderer.render(state, width: size.width, height: size.height))
                dirty = false
            }
            // While a write is under way, look for its result often.
            let wait = max(1, min(state.saving.isEmpty ? 250 : 50, Int(nextRefresh.timeIntervalSinceNow * 1000)))
            guard let input = terminal.nextInput(timeoutMs: wait) else { continue }
            dirty = true
            switch input {
            case .resize:
                continue
            case .key(let key):
                let viewBefore = state.view
                perform(ConsoleReducer.reduce(&state, .key(key)), nextRefresh: &nextRefresh)
                if state.view == .charts && viewBefore != .charts {
                    // The chart's points are computed only for Charts: at once when it comes on screen.
                    reload()
                    nextRefresh = Date().addingTimeInterval(refresh)
                }
                if state.view == .logs && state.logFollow && !state.frozen && logsBehind && loadedOnce {
                    // Logs came on screen (or follows again): its rows at once, not at the next refresh.
                    withLoader(loadLogTail)
                }
            }
        }
        // A save asked for before quitting is finished, not dropped.
        writer.waitUntilIdle()
        _ = drainResults(nextRefresh: &nextRefresh)
    }

    /// Hands finished writes' results to the reducer; `true` if there were any.
    func drainResults(nextRefresh: inout Date) -> Bool {
        let results = writer.takeResults()
        for action in results { perform(ConsoleReducer.reduce(&state, action), nextRefresh: &nextRefresh) }
        return !results.isEmpty
    }

    func dispatch(_ action: ConsoleAction) {
        var ignored = Date()
        perform(ConsoleReducer.reduce(&state, action), nextRefresh: &ignored)
    }

    func perform(_ effects: [ConsoleEffect], nextRefresh: inout Date) {
        let actor = self.actor
        for effect in effects {
            switch effect {
            case .quit:
                return
            case .reload:
                nextRefresh = .distantPast
            case .switchTheme(let name):
                do {
                    theme = try themes(name)
                    terminal.apply(theme)
                    state.themeName = theme.name
                    state.monochrome = !theme.usesColor
                    dispatch(.effectSucceeded("theme \(theme.name)"))
                } catch {
                    dispatch(.effectFailed("\(error)"))
                }
            case .previewThrottle(let apiId, let stage, let key, let limit):
                guard let store = openStore() else { continue }
                let replay = loader ?? ConsoleDataLoader(store: store)
                if let rejected = try? replay.preview(apiId: apiId, stage: stage, methodKey: key, limit: limit) {
                    let seconds = try? replay.replaySeconds(apiId: apiId, stage: stage, account: key == "*")
                    dispatch(.previewLoaded(limit: limit, rejected: rejected, seconds: seconds))
                }
            case .saveThrottle(let apiId, let stage, let key, let limit):
                let target = key == "*" ? "account" : "\(apiId)/\(stage) \(ThrottleForm.display(key))"
                write(done: "saved: \(target) is \(limit)", failed: "not saved", nextRefresh: &nextRefresh) { store in
                    if key == "*" {
                        try store.setAccountThrottle(limit, actor: actor)
                    } else {
                        try store.setStageThrottle(apiId: apiId, stageName: stage, methodKey: key, limit: limit, actor: actor)
                    }
                }
            case .previewPlanThrottle(let planId, let limit):
                guard let store = openStore() else { continue }
                let replay = loader ?? ConsoleDataLoader(store: store)
                if let preview = try? replay.previewPlan(planId: planId, limit: limit) {
                    dispatch(.previewLoaded(limit: limit, rejected: preview.rejected, seconds: preview.seconds))
                }
            case .savePlanThrottle(let planId, let name, let limit):
                write(done: "saved: plan \(name) is \(limit) per key", failed: "not saved", nextRefresh: &nextRefresh) { store in
                    try store.updateUsagePlan(id: planId, Store.PlanUpdate(throttle: .some(limit)), actor: actor)
                }
            case .savePlanQuota(let planId, let name, let quota):
                write(done: "saved: plan \(name)'s quota is \(quota.map { "\($0.description) per key" } ?? "none")", failed: "not saved",
                      nextRefresh: &nextRefresh) { store in
                    try store.updateUsagePlan(id: planId, Store.PlanUpdate(quota: .some(quota)), actor: actor)
                }
            case .setKeyEnabled(let keyId, let name, let enabled):
                write(done: "key \(name) \(enabled ? "enabled" : "disabled")", failed: "not changed", nextRefresh: &nextRefresh) { store in
                    try store.setApiKeyEnabled(id: keyId, enabled: enabled, actor: actor)
                }
            case .putAlarm(let rule):
                write(done: "alarm \(rule.name) saved: \(rule.summary)", failed: "alarm not saved", nextRefresh: &nextRefresh) { store in
                    try store.putAlarm(rule, actor: actor)
                }
            case .acknowledgeAlarm(let name, let note):
                write(done: "\(name) acknowledged by \(actor.name)", failed: "not acknowledged", nextRefresh: &nextRefresh) { store in
                    try store.acknowledgeAlarm(name: name, note: note, actor: actor)
                }
            case .deleteAlarm(let name):
                write(done: "alarm \(name) deleted", failed: "not deleted", nextRefresh: &nextRefresh) { store in
                    try store.deleteAlarm(name: name, actor: actor)
                }
            case .loadLogTail:
                withLoader(loadLogTail)
            case .loadOlderLogs(let before):
                withLoader { loader in dispatch(.olderLogsLoaded(try loader.logs(before: before))) }
            case .findFailedLog(let from, let forward):
                withLoader { loader in
                    if let found = try loader.failedCall(from: from, forward: forward) {
                        dispatch(.logsReplaced(found.rows, select: found.id))
                    } else {
                        dispatch(.notice(forward ? "no later failed call in the store" : "no earlier failed call in the store"))
                    }
                }
            case .edit(let edit):
                write(done: edit.done, failed: "not changed", nextRefresh: &nextRefresh) { store in try edit.apply(store, actor: actor) }
            case .rollback(let apiId, let stage, let deploymentId):
                write(done: "stage \(stage) of \(apiId) now serves \(deploymentId)", failed: "not rolled back", nextRefresh: &nextRefresh) { store in
                    try store.rollback(apiId: apiId, stageName: stage, to: deploymentId, actor: actor)
                }
            }
        }
    }

    /// One store write from the console, off the loop: "saving…" until its result comes back; the result
    /// stays on the message line until dismissed, and a success refreshes at once.
    func write(done: String, failed: String, nextRefresh: inout Date, _ body: @escaping @Sendable (Store) throws -> Void) {
        let label = done.split(separator: ":").first.map(String.init) ?? done
        dispatch(.effectStarted(label))
        writer.submit(label: label, done: done, failed: failed, body)
    }

    /// New log rows: read only while Logs is on screen and following (the newest of them, up to what it
    /// holds); otherwise only counted, and the rows on screen are reloaded when Logs follows again.
    func refreshLogs(_ loader: ConsoleDataLoader) throws {
        if state.view == .logs && state.logFollow && !state.frozen {
            if logsBehind {
                try loadLogTail(loader)
                return
            }
            // More rows than a refresh reads: the newest of them replace the rows held, so that those stay
            // one unbroken run (what went by is paged in from the store when scrolled back to).
            let (entries, skipped) = try loader.newLogs(after: lastLogId, limit: ConsoleState.logFollowRead)
            lastLogId = max(lastLogId ?? 0, entries.last?.id ?? 0)
            dispatch(skipped ? .logsReplaced(entries, select: nil) : .logsLoaded(entries))
            return
        }
        let newest = try loader.newestLogId()
        if let last = lastLogId, newest > last { dispatch(.logsArrived(Int(newest - last))) }
        if lastLogId.map({ newest > $0 }) ?? true { logsBehind = true }
        lastLogId = newest
    }

    /// Replaces the rows on screen with the newest ones.
    func loadLogTail(_ loader: ConsoleDataLoader) throws {
        let entries = try loader.logs(after: nil, limit: ConsoleState.logFollowRead)
        lastLogId = max(lastLogId ?? 0, entries.last?.id ?? 0)
        logsBehind = false
        dispatch(.logsReplaced(entries, select: nil))
    }

    /// Runs reads on the loop's read-only connection (one loader, made on first use); a failure is shown, not
    /// thrown.
    func withLoader(_ body: (ConsoleDataLoader) throws -> Void) {
        guard let store = openStore() else { return }
        let loader = self.loader ?? ConsoleDataLoader(store: store)
        self.loader = loader
        do {
            try body(loader)
        } catch {
            dispatch(.storeProblem("\(error)"))
        }
    }

    /// The loop's own connection only reads (read-only, so it never waits for a writer's lock).
    func openStore() -> Store? {
        if let store { return store }
        do {
            let opened = try Store(path: storePath, access: .readOnly)
            store = opened
            return opened
        } catch {
            dispatch(.storeProblem("\(error)"))
            return nil
        }
    }

    /// One refresh: the rollup snapshot and the log tail after the last id seen.
    public func reload() {
        guard !state.frozen else { return }
        withLoader { loader in
            let data = try loader.load(window: state.window, chartTarget: state.chartTarget, chart: state.view == .charts)
            let nowFiring = Set(data.unacknowledgedAlarms.map(\.rule.name))
            if bellEnabled, let before = firing, !nowFiring.subtracting(before).isEmpty { terminal.bell() }
            firing = nowFiring
            loadedOnce = true
            dispatch(.dataLoaded(data))
            try refreshLogs(loader)
        }
    }
}
