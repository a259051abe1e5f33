import Foundation
import GatehouseStore

/// The store's audit entry, as the console lists it.
public typealias GatehouseStoreAuditEntry = Store.AuditEntry
import GatehouseCore

/// The console's only state transition: `(state, action) → (state, effects)`. Pure, so every key's behaviour
/// is testable without a terminal or a store.
public enum ConsoleReducer {
    public static func reduce(_ state: inout ConsoleState, _ action: ConsoleAction) -> [ConsoleEffect] {
        switch action {
        case .dataLoaded(let data):
            if state.frozen { return [] }
            let anchor = state.view == .logs ? nil : selectedIdentity(state)
            state.data = data
            reselect(&state, anchor)
            state.storeProblem = nil
            state.waitingForStore = false
            clampSelection(&state)
            return []
        case .logsLoaded(let entries):
            guard !entries.isEmpty else { return [] }
            if state.frozen || !state.logFollow {
                // Paused (or frozen) holds the rows on screen as they are: new ones are only counted, and
                // following again loads the newest rows afresh.
                state.logNewWhilePaused += entries.count
                return []
            }
            insertLogs(&state, entries)
            if state.logs.count > ConsoleState.logCapacity { state.logs.removeFirst(state.logs.count - ConsoleState.logCapacity) }
            state.selection[.logs] = max(0, visibleLogs(state).count - 1)
            return []
        case .logsArrived(let count):
            if state.frozen || !state.logFollow { state.logNewWhilePaused += count }
            return []
        case .logsReplaced(let entries, let select):
            state.logs = []
            insertLogs(&state, entries)
            state.logsAtStart = false
            if let select {
                state.logFollow = false
                state.logNewWhilePaused = 0
                reselect(&state, "\(select)")
            } else if state.logFollow {
                state.logNewWhilePaused = 0
                state.selection[.logs] = max(0, visibleLogs(state).count - 1)
            }
            return []
        case .olderLogsLoaded(let entries):
            guard !entries.isEmpty else {
                state.logsAtStart = true
                state.message = "this is the oldest row the store keeps (see `gatehouse retention`)"
                state.messageIsError = false
                return []
            }
            let anchor = selectedIdentity(state)
            insertLogs(&state, entries)
            // Paging back holds at most this many rows; the newest go (following again reloads them).
            if state.logs.count > ConsoleState.logPagedCapacity { state.logs.removeLast(state.logs.count - ConsoleState.logPagedCapacity) }
            reselect(&state, anchor)
            move(&state, by: -1)
            return []
        case .previewLoaded(let limit, let rejected, let seconds):
            if state.form?.limit == limit {
                state.form?.preview = rejected
                state.form?.previewFor = limit
                state.form?.previewSeconds = seconds
            }
            return []
        case .effectStarted(let label):
            state.saving.append(label)
            return []
        case .effectSucceeded(let text, let started):
            finish(started, &state)
            post(text, isError: false, &state)
            return [.reload]
        case .effectFailed(let text, let started):
            finish(started, &state)
            post(text, isError: true, &state)
            return []
        case .storeProblem(let problem):
            state.storeProblem = problem
            return []
        case .notice(let text):
            state.message = text
            state.messageIsError = false
            return []
        case .key(let key):
            return handle(key, &state)
        }
    }

    /// Shows a result on the message line until it is dismissed, and keeps it for `:messages`.
    static func post(_ text: String, isError: Bool, _ state: inout ConsoleState) {
        state.message = text
        state.messageIsError = isError
        state.messageSticks = true
        state.messageLog.append(ConsoleMessage(time: state.data.now, text: text, isError: isError))
        if state.messageLog.count > ConsoleState.messageLogCapacity {
            state.messageLog.removeFirst(state.messageLog.count - ConsoleState.messageLogCapacity)
        }
    }

    static func finish(_ started: String?, _ state: inout ConsoleState) {
        guard let started, let index = state.saving.firstIndex(of: started) else { return }
        state.saving.remove(at: index)
    }

    // MARK: Keys

    static func handle(_ key: Key, _ state: inout ConsoleState) -> [ConsoleEffect] {
        let before = state.message
        let effects = handleKey(key, &state)
        // A message a key puts up is a hint: it goes with the next key (a write's result sticks).
        if state.message != before { state.messageSticks = false }
        return effects
    }

    static func handleKey(_ key: Key, _ state: inout ConsoleState) -> [ConsoleEffect] {
        if key == .ctrl("c") {
            state.quit = true
            return [.quit]
        }
        if state.confirmation != nil { return confirm(key, &state) }
        if state.stageChoice != nil { return chooseStage(key, &state) }
        if state.form != nil { return editForm(key, &state) }
        if state.alarmForm != nil { return editAlarmForm(key, &state) }
        if state.prompt != nil { return editPrompt(key, &state) }
        if state.command != nil { return editCommand(key, &state) }
        if state.filterEditing { return editFilter(key, &state) }
        if state.help {
            if [.escape, .char("?"), .char("q"), .enter].contains(key) { state.help = false }
            return []
        }
        if state.logDetail != nil {
            if [.escape, .char("q"), .enter].contains(key) { state.logDetail = nil }
            return []
        }
        if state.description != nil {
            if [.escape, .char("q"), .enter].contains(key) { state.description = nil }
            return []
        }
        if state.showMessages {
            if [.escape, .char("q"), .enter].contains(key) { state.showMessages = false }
            return []
        }
        if state.message != nil && state.messageSticks {
            // A write's result stays until esc dismisses it (esc does nothing else then).
            if key == .escape {
                state.message = nil
                state.messageSticks = false
                return []
            }
        } else {
            state.message = nil
        }
        switch key {
        case .char("q"):
            if state.currentFilter != nil {
                state.filters[state.view] = nil
            } else if let previous = state.backStack.popLast() {
                state.view = previous
            } else {
                state.quit = true
                return [.quit]
            }
        case .escape:
            if state.currentFilter != nil {
                state.filters[state.view] = nil
            } else if let previous = state.backStack.popLast() {
                state.view = previous
            }
        case .char("?"):
            state.help = true
        case .char(":"):
            state.command = ""
        case .char("/"):
            state.filterEditing = true
            if state.filters[state.view] == nil { state.filters[state.view] = "" }
        case .char(let c) where c.isNumber:
            if let n = c.wholeNumberValue, let view = ConsoleView(rawValue: n) { switchTo(view, &state) }
        case .tab:
            switchTo(ConsoleView(rawValue: state.view.rawValue % ConsoleView.allCases.count + 1) ?? .overview, &state)
        case .backTab:
            let previous = state.view.rawValue == 1 ? ConsoleView.allCases.count : state.view.rawValue - 1
            switchTo(ConsoleView(rawValue: previous) ?? .overview, &state)
        case .char("j"), .down: move(&state, by: 1)
        case .char("k"), .up:
            if let older = pageBack(state) { return [older] }
            move(&state, by: -1)
        case .char("g"), .home:
            if state.view == .logs && state.logFollow {
                // Following would pull the selection straight back to the newest row: going up pauses it.
                state.logFollow = false
                state.message = "paused following to go to the oldest row kept; G or f follows again"
                state.messageIsError = false
            }
            setSelection(&state, 0)
        case .char("G"), .end:
            let wasFollowing = state.logFollow
            setSelection(&state, Int.max)
            if state.view == .logs && state.logFollow && !wasFollowing { return [.loadLogTail] }
        case .pageDown, .ctrl("f"): move(&state, by: 10)
        case .pageUp, .ctrl("b"):
            if let older = pageBack(state) { return [older] }
            move(&state, by: -10)
        case .char("["):
            state.window = state.window.shorter()
            return [.reload]
        case .char("]"):
            state.window = state.window.longer()
            return [.reload]
        case .char("Z"):
            state.frozen.toggle()
            if !state.frozen { state.logNewWhilePaused = 0 }
            return state.frozen ? [] : [.reload]
        case .enter:
            return drill(&state)
        case .char("s"):
            let keys = sortKeys(state.view)
            guard !keys.isEmpty else { return nothingSorts(&state) }
            let anchor = selectedIdentity(state)
            if let current = state.sorts[state.view] {
                state.sorts[state.view] = current.key + 1 < keys.count ? SortOrder(key: current.key + 1, reversed: false) : nil
            } else {
                state.sorts[state.view] = SortOrder(key: 0, reversed: false)
            }
            reselect(&state, anchor)
        case .char("S"):
            guard !sortKeys(state.view).isEmpty else { return nothingSorts(&state) }
            let anchor = selectedIdentity(state)
            var order = state.sorts[state.view] ?? SortOrder(key: 0, reversed: false)
            order.reversed.toggle()
            state.sorts[state.view] = order
            reselect(&state, anchor)
        default:
            return viewKey(key, &state)
        }
        return []
    }

    static func switchTo(_ view: ConsoleView, _ state: inout ConsoleState) {
        guard view != state.view else { return }
        state.backStack = []
        state.view = view
        state.logDetail = nil
    }

    static func viewKey(_ key: Key, _ state: inout ConsoleState) -> [ConsoleEffect] {
        switch (state.view, key) {
        case (.logs, .char("f")):
            state.logFollow.toggle()
            if state.logFollow {
                state.logNewWhilePaused = 0
                setSelection(&state, Int.max)
                return [.loadLogTail]
            }
        case (.logs, .char("t")): state.logTimestamps.toggle()
        case (.logs, .char("n")), (.logs, .char("N")):
            // Next / previous failed call (4xx, 5xx): among the rows on screen, else in the store.
            let rows = visibleLogs(state)
            let forward = key == .char("n")
            let indices = forward ? Array(rows.indices.dropFirst(state.currentSelection + 1))
                                  : Array(rows.indices.prefix(state.currentSelection).reversed())
            if let next = indices.first(where: { rows[$0].record.status >= 400 }) {
                state.logFollow = false
                state.selection[.logs] = next
            } else if state.filters[.logs] == nil, let edge = forward ? state.logs.map(\.id).max() : state.logs.map(\.id).min() {
                return [.findFailedLog(from: edge, forward: forward)]
            } else {
                state.message = forward ? "no later failed call" : "no earlier failed call"
                state.messageIsError = false
            }
        case (.logs, .char("w")): state.logWrap.toggle()
        case (.throttles, .char("e")):
            let rows = visibleThrottles(state)
            guard rows.indices.contains(state.currentSelection) else { return [] }
            let row = rows[state.currentSelection]
            return openForm(apiId: row.apiId, stage: row.stage, methodKey: row.methodKey, before: row.limit, &state)
        case (.apis, .char("e")):
            let rows = visibleMethods(state)
            guard rows.indices.contains(state.currentSelection) else { return [] }
            let row = rows[state.currentSelection]
            let key = Stage.methodSettingsKey(resourcePath: row.resourcePath, httpMethod: row.httpMethod)
            return openForm(apiId: row.apiId, stage: row.stage, methodKey: key, before: row.throttleScope == .stageMethod ? row.throttle : nil,
                            inForce: row.throttle, &state)
        case (.apis, .char("v")):
            let rows = visibleMethods(state)
            guard rows.indices.contains(state.currentSelection), allowWrite(&state) else { return [] }
            let row = rows[state.currentSelection]
            // The command line, filled in up to the variables: name=value sets one, -name removes it.
            state.command = "stage var \(row.apiId) \(row.stage) "
        case (.alarms, .char("a")):
            guard let alarm = selectedAlarm(state), allowWrite(&state) else { return [] }
            guard alarm.state == .alarm else {
                state.message = "\(alarm.rule.name) is \(alarm.state.rawValue): only an alarm in ALARM can be acknowledged"
                state.messageIsError = true
                return []
            }
            state.prompt = TextPrompt(title: "Acknowledge \(alarm.rule.name): note (enter to confirm)", purpose: .acknowledge(alarm: alarm.rule.name))
        case (.alarms, .char("n")):
            guard allowWrite(&state) else { return [] }
            let first = state.data.overview.first
            state.alarmForm = AlarmForm(rule: nil, defaultApi: first?.apiId, defaultStage: first?.stage)
        case (.alarms, .char("e")):
            guard let alarm = selectedAlarm(state), allowWrite(&state) else { return [] }
            state.alarmForm = AlarmForm(rule: alarm.rule, defaultApi: nil, defaultStage: nil)
        case (.alarms, .char("d")):
            guard let alarm = selectedAlarm(state), allowWrite(&state) else { return [] }
            state.confirmation = Confirmation(question: "Delete alarm \(alarm.rule.name)?", effect: .deleteAlarm(name: alarm.rule.name))
        case (.keys, _):
            return keysViewKey(key, &state)
        case (.deployments, .char("r")):
            let rows = visibleDeployments(state)
            guard rows.indices.contains(state.currentSelection) else { return [] }
            let row = rows[state.currentSelection]
            let stages = Set(state.data.overview.filter { $0.apiId == row.apiId }.map(\.stage)).sorted()
            guard !stages.isEmpty else {
                state.message = "API \(row.apiId) has no stage to roll back"
                state.messageIsError = true
                return []
            }
            guard allowWrite(&state) else { return [] }
            if stages.count == 1 {
                state.confirmation = rollbackConfirmation(apiId: row.apiId, stage: stages[0], deploymentId: row.id)
                return []
            }
            // Several stages: ask which, starting on the one you came from (else one not serving it yet).
            let cameFrom = state.chartTarget.flatMap { $0.apiId == row.apiId ? $0.stage : nil }
            let start = cameFrom.flatMap { stages.firstIndex(of: $0) }
                ?? stages.firstIndex { !row.stages.contains($0) } ?? 0
            state.stageChoice = StageChoice(apiId: row.apiId, deploymentId: row.id, stages: stages, selected: start)
        default:
            break
        }
        return []
    }
}
