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

    /// The form starts from the method's own setting, else the limit in force for it (the stage default or
    /// the account's), so an edit begins from what applies now.
    static func openForm(apiId: String, stage: String, methodKey: String, before: ThrottleLimit?, inForce: ThrottleLimit? = nil,
                         _ state: inout ConsoleState) -> [ConsoleEffect] {
        guard allowWrite(&state) else { return [] }
        let seed = before ?? inForce ?? ThrottleLimit(rate: 10, burst: 20)
        var form = ThrottleForm(apiId: apiId, stage: stage, methodKey: methodKey, before: before,
                                rate: seed.rate == seed.rate.rounded() ? String(Int(seed.rate)) : String(seed.rate),
                                burst: String(seed.burst))
        form.field = .rate
        state.form = form
        return [.previewThrottle(apiId: apiId, stage: stage, methodKey: methodKey, limit: seed)]
    }

    static func allowWrite(_ state: inout ConsoleState) -> Bool {
        if state.readOnly {
            state.message = "read-only: writes are disabled (started with --read-only)"
            state.messageIsError = true
            return false
        }
        return true
    }

    static func drill(_ state: inout ConsoleState) -> [ConsoleEffect] {
        switch state.view {
        case .overview:
            let rows = visibleOverview(state)
            guard rows.indices.contains(state.currentSelection) else { return [] }
            state.chartTarget = ChartTarget(apiId: rows[state.currentSelection].apiId, stage: rows[state.currentSelection].stage)
            state.backStack.append(.overview)
            state.view = .charts
            return [.reload]
        case .apis:
            let rows = visibleMethods(state)
            guard rows.indices.contains(state.currentSelection) else { return [] }
            let row = rows[state.currentSelection]
            state.chartTarget = ChartTarget(apiId: row.apiId, stage: row.stage, resourcePath: row.resourcePath,
                                            httpMethod: row.httpMethod == "ANY" ? nil : row.httpMethod)
            state.backStack.append(.apis)
            state.view = .charts
            return [.reload]
        case .logs:
            let rows = visibleLogs(state)
            if rows.indices.contains(state.currentSelection) { state.logDetail = rows[state.currentSelection] }
        case .audit, .alarms, .throttles, .deployments:
            state.description = describe(state)
        case .keys:
            state.description = describeKeyPlan(state)
        default:
            break
        }
        return []
    }

    /// The selected row of Audit, Alarms, Throttles or Deploys, in full.
    static func describe(_ state: ConsoleState) -> RowDescription? {
        typealias F = RowDescription.Field
        let i = state.currentSelection
        switch state.view {
        case .audit:
            let rows = visibleAudit(state)
            guard rows.indices.contains(i) else { return nil }
            let e = rows[i]
            return RowDescription(title: "audit entry \(e.id)", fields: [
                F(name: "time", value: Format.dateTime.string(from: e.time) + " UTC"), F(name: "who", value: "\(e.operatorName) via \(e.source)"),
                F(name: "action", value: e.action), F(name: "target", value: e.target),
                F(name: "before", value: e.before ?? "-"), F(name: "after", value: e.after ?? "-"),
            ])
        case .alarms:
            let rows = visibleAlarms(state)
            guard rows.indices.contains(i) else { return nil }
            let a = rows[i]
            var fields = [
                F(name: "state", value: "\(a.state.rawValue) since \(Format.dateTime.string(from: a.stateUpdated)) UTC"),
                F(name: "reason", value: a.reason), F(name: "rule", value: a.rule.summary), F(name: "dimensions", value: a.rule.dimensions.description),
                F(name: "acknowledged", value: a.acknowledgedBy.map { "by \($0)" + (a.acknowledgeNote.map { ": \($0)" } ?? "") } ?? "no"),
            ]
            for entry in state.data.alarmHistory.filter({ $0.alarm == a.rule.name }).prefix(10) {
                let change = entry.newState.map { " \(entry.oldState?.rawValue ?? "-") → \($0.rawValue)" } ?? ""
                fields.append(F(name: Format.dateTime.string(from: entry.time), value: "\(entry.kind)\(change): \(entry.reason)"))
            }
            return RowDescription(title: "alarm \(a.rule.name)", fields: fields)
        case .throttles:
            let rows = visibleThrottles(state)
            guard rows.indices.contains(i) else { return nil }
            let t = rows[i]
            return RowDescription(title: "throttle \(ThrottleForm.display(t.methodKey))", fields: [
                F(name: "scope", value: "\(t.scope)"), F(name: "api / stage", value: t.apiId.isEmpty ? "every API" : "\(t.apiId) / \(t.stage)"),
                F(name: "method", value: ThrottleForm.display(t.methodKey)), F(name: "limit", value: t.limit.description),
                F(name: "now", value: "\(Format.rate(t.ratePerSecond)) req/s, \(Format.rate(t.throttledPerSecond)) answered 429 a second"),
            ])
        case .deployments:
            let rows = visibleDeployments(state)
            guard rows.indices.contains(i) else { return nil }
            let d = rows[i]
            return RowDescription(title: "deployment \(d.id)", fields: [
                F(name: "api", value: "\(d.apiName) (\(d.apiId))"), F(name: "created", value: Format.dateTime.string(from: d.created) + " UTC"),
                F(name: "description", value: d.description.isEmpty ? "-" : d.description),
                F(name: "served by", value: d.stages.isEmpty ? "no stage (r points one at it)" : d.stages.joined(separator: ", ")),
            ])
        default:
            return nil
        }
    }

    static func rollbackConfirmation(apiId: String, stage: String, deploymentId: String) -> Confirmation {
        Confirmation(question: "Point stage \(stage) of \(apiId) at deployment \(deploymentId)?",
                     effect: .rollback(apiId: apiId, stage: stage, deploymentId: deploymentId))
    }

    static func chooseStage(_ key: Key, _ state: inout ConsoleState) -> [ConsoleEffect] {
        guard var choice = state.stageChoice else { return [] }
        switch key {
        case .escape, .char("q"):
            state.stageChoice = nil
            state.message = "cancelled"
            state.messageIsError = false
            return []
        case .char("j"), .down, .tab:
            choice.selected = (choice.selected + 1) % choice.stages.count
        case .char("k"), .up, .backTab:
            choice.selected = (choice.selected + choice.stages.count - 1) % choice.stages.count
        case .char(let c) where c.isNumber:
            if let n = c.wholeNumberValue, (1...choice.stages.count).contains(n) { choice.selected = n - 1 }
        case .enter:
            state.stageChoice = nil
            state.confirmation = rollbackConfirmation(apiId: choice.apiId, stage: choice.stages[choice.selected], deploymentId: choice.deploymentId)
            return []
        default:
            break
        }
        state.stageChoice = choice
        return []
    }

    /// A key that does nothing here says why.
    static func nothingSorts(_ state: inout ConsoleState) -> [ConsoleEffect] {
        state.message = "nothing sorts in \(state.view.title): it has no table"
        state.messageIsError = false
        return []
    }

    static func selectedAlarm(_ state: ConsoleState) -> AlarmStatus? {
        let rows = visibleAlarms(state)
        return rows.indices.contains(state.currentSelection) ? rows[state.currentSelection] : nil
    }

    static func editPrompt(_ key: Key, _ state: inout ConsoleState) -> [ConsoleEffect] {
        guard var prompt = state.prompt else { return [] }
        switch key {
        case .escape:
            state.prompt = nil
            return []
        case .backspace:
            if !prompt.text.isEmpty { prompt.text.removeLast() }
        case .ctrl("u"):
            prompt.text = ""
        case .char(let c):
            prompt.text.append(c)
        case .enter:
            let text = prompt.text.trimmingCharacters(in: .whitespaces)
            switch prompt.purpose {
            case .acknowledge(let alarm):
                state.prompt = nil
                state.confirmation = Confirmation(question: "Acknowledge \(alarm) as \(state.operatorName)\(text.isEmpty ? "" : ": \(text)")?",
                                                  effect: .acknowledgeAlarm(name: alarm, note: text.isEmpty ? nil : text))
            case .planQuota(let planId, let planName):
                return confirmQuota(text, planId: planId, planName: planName, &state)
            }
            return []
        default:
            break
        }
        state.prompt = prompt
        return []
    }

    static func editAlarmForm(_ key: Key, _ state: inout ConsoleState) -> [ConsoleEffect] {
        guard var form = state.alarmForm else { return [] }
        switch key {
        case .escape:
            state.alarmForm = nil
            return []
        case .tab, .down:
            form.focus = (form.focus + 1) % form.fields.count
        case .backTab, .up:
            form.focus = (form.focus + form.fields.count - 1) % form.fields.count
        case .backspace:
            if !form.fields[form.focus].text.isEmpty { form.fields[form.focus].text.removeLast() }
        case .char(let c):
            if !(form.isNew == false && form.focus == 0) { form.fields[form.focus].text.append(c) }
        case .enter:
            let original = state.data.alarms.first { $0.rule.name == form.text("name") }?.rule
            switch form.rule(keeping: original) {
            case .success(let rule):
                form.problems = []
                state.confirmation = Confirmation(question: "\(form.isNew ? "Create" : "Save") alarm \(rule.name): \(rule.summary)?",
                                                  effect: .putAlarm(rule))
            case .failure(let error):
                form.problems = error.problems
            }
        default:
            break
        }
        state.alarmForm = form
        return []
    }

    // MARK: Modes

    static func confirm(_ key: Key, _ state: inout ConsoleState) -> [ConsoleEffect] {
        guard let confirmation = state.confirmation else { return [] }
        switch key {
        case .char("y"), .char("Y"), .enter:
            state.confirmation = nil
            state.form = nil
            state.alarmForm = nil
            return [confirmation.effect]
        case .char("n"), .char("N"), .escape, .char("q"):
            state.confirmation = nil
            state.message = "cancelled"
            state.messageIsError = false
        default: break
        }
        return []
    }

    static func editForm(_ key: Key, _ state: inout ConsoleState) -> [ConsoleEffect] {
        guard var form = state.form else { return [] }
        switch key {
        case .escape:
            state.form = nil
            return []
        case .tab, .backTab, .down, .up:
            form.field = form.field == .rate ? .burst : .rate
        case .backspace:
            if form.field == .rate { _ = form.rate.popLast() } else { _ = form.burst.popLast() }
        case .ctrl("u"):
            if form.field == .rate { form.rate = "" } else { form.burst = "" }
        case .char(let c) where c.isNumber || (c == "." && form.field == .rate):
            if form.field == .rate { form.rate.append(c) } else { form.burst.append(c) }
        case .enter:
            guard let limit = form.limit else {
                state.message = "rate must be a number ≥ 0 and burst a whole number ≥ 0"
                state.messageIsError = true
                return []
            }
            let rejected = form.previewFor == limit ? form.preview.map { ", would have rejected \($0) of the last hour's requests" } ?? "" : ""
            let effect: ConsoleEffect = form.planId.map { .savePlanThrottle(planId: $0, planName: form.planName, limit: limit) }
                ?? .saveThrottle(apiId: form.apiId, stage: form.stage, methodKey: form.methodKey, limit: limit)
            state.confirmation = Confirmation(question: "Set \(form.title) to \(limit)\(rejected)?", effect: effect)
            return []
        default:
            return []
        }
        state.form = form
        if let limit = form.limit, limit != form.previewFor {
            if let planId = form.planId { return [.previewPlanThrottle(planId: planId, limit: limit)] }
            return [.previewThrottle(apiId: form.apiId, stage: form.stage, methodKey: form.methodKey, limit: limit)]
        }
        return []
    }

    /// Completions for the command line.
    public static let commands: [String] = ConsoleView.allCases.map(\.command) + ["messages", "theme default", "theme light", "theme mono", "q", "quit"]

    static func editCommand(_ key: Key, _ state: inout ConsoleState) -> [ConsoleEffect] {
        guard var text = state.command else { return [] }
        switch key {
        case .escape:
            state.command = nil
            return []
        case .backspace:
            if text.isEmpty { state.command = nil; return [] }
            text.removeLast()
        case .ctrl("u"):
            text = ""
        case .tab:
            // Completes as far as the matches agree; pressed again, cycles through them.
            let prefix = state.completionPrefix ?? text
            let matches = commands.filter { $0.hasPrefix(prefix) }
            if let current = matches.firstIndex(of: text), state.completionPrefix != nil {
                text = matches[(current + 1) % matches.count]
            } else if matches.count == 1 {
                text = matches[0]
            } else if !matches.isEmpty {
                let common = commonPrefix(matches)
                if common.count > text.count {
                    text = common
                } else {
                    text = matches[0]
                    state.completionPrefix = prefix
                }
            }
            state.command = text
            return []
        case .char(let c):
            text.append(c)
        case .enter:
            state.command = nil
            state.completionPrefix = nil
            return run(command: text.trimmingCharacters(in: .whitespaces), &state)
        default:
            break
        }
        state.completionPrefix = nil
        state.command = text
        return []
    }

    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for word in words.dropFirst() {
            while !word.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }

    static func run(command: String, _ state: inout ConsoleState) -> [ConsoleEffect] {
        if command == "q" || command == "quit" {
            state.quit = true
            return [.quit]
        }
        if let view = ConsoleView.allCases.first(where: { $0.command == command || ($0.command.hasPrefix(command) && command.count >= 2) }) {
            switchTo(view, &state)
            return []
        }
        if command == "messages" || command == "msg" {
            state.showMessages = true
            return []
        }
        if command.hasPrefix("theme ") {
            return [.switchTheme(String(command.dropFirst(6)).trimmingCharacters(in: .whitespaces))]
        }
        state.message = "unknown command ':\(command)'; Tab completes, ? lists keys"
        state.messageIsError = true
        return []
    }

    static func editFilter(_ key: Key, _ state: inout ConsoleState) -> [ConsoleEffect] {
        var text = state.filters[state.view] ?? ""
        switch key {
        case .enter:
            state.filterEditing = false
        case .escape:
            state.filterEditing = false
            text = ""
        case .backspace:
            if !text.isEmpty { text.removeLast() }
        case .ctrl("u"):
            text = ""
        case .char(let c):
            text.append(c)
        default:
            break
        }
        state.filters[state.view] = text.isEmpty && !state.filterEditing ? nil : text
        state.selection[state.view] = 0
        if state.view == .logs && state.logFollow { state.selection[.logs] = max(0, visibleLogs(state).count - 1) }
        return []
    }

    // MARK: Selection

    static func rowCount(_ state: ConsoleState) -> Int {
        switch state.view {
        case .overview: return visibleOverview(state).count
        case .apis: return visibleMethods(state).count
        case .logs: return visibleLogs(state).count
        case .throttles: return visibleThrottles(state).count
        case .deployments: return visibleDeployments(state).count
        case .audit: return visibleAudit(state).count
        case .alarms: return visibleAlarms(state).count
        case .keys: return visibleKeyPlans(state).count
        case .charts: return 0
        }
    }

    static func move(_ state: inout ConsoleState, by delta: Int) {
        setSelection(&state, state.currentSelection + delta)
        if state.view == .logs && delta < 0 && state.logFollow {
            state.logFollow = false
        }
    }

    static func setSelection(_ state: inout ConsoleState, _ value: Int) {
        let count = rowCount(state)
        state.selection[state.view] = count == 0 ? 0 : min(max(0, value), count - 1)
        if state.view == .logs, count > 0, state.selection[.logs] == count - 1, value >= count - 1, !state.logFollow {
            // Moving to the end resumes following, as `less +F` does.
            state.logFollow = true
            state.logNewWhilePaused = 0
        }
    }

    static func clampSelection(_ state: inout ConsoleState) {
        let count = rowCount(state)
        if let current = state.selection[state.view], current >= count { state.selection[state.view] = max(0, count - 1) }
    }

    // MARK: Filtered rows (shared with the views)

    static func filter(_ state: ConsoleState) -> ConsoleFilter? {
        state.currentFilter.flatMap(ConsoleFilter.init)
    }

    /// The keys `s` cycles through in a view; numbers sort largest first, names alphabetically.
    public static func sortKeys(_ view: ConsoleView) -> [String] {
        switch view {
        case .overview: return ["req/s", "5xx", "4xx", "p99", "429/s", "name"]
        case .apis: return ["traffic", "throttle", "path"]
        case .throttles: return ["429/s", "now/s", "use", "rate"]
        case .alarms: return ["since", "name"]
        case .deployments: return ["api", "created"]
        case .audit: return ["who", "action"]
        case .logs, .charts, .keys: return []
        }
    }

    /// The sort caption for the breadcrumb line, e.g. `sorted by p99 ↓`.
    public static func sortCaption(_ state: ConsoleState) -> String? {
        guard let order = state.sorts[state.view], sortKeys(state.view).indices.contains(order.key) else { return nil }
        return "sorted by \(sortKeys(state.view)[order.key]) \(order.reversed ? "↑" : "↓")"
    }

    static func sorted<Row>(_ rows: [Row], _ state: ConsoleState, _ keys: [(Row) -> SortValue]) -> [Row] {
        guard let order = state.sorts[state.view], keys.indices.contains(order.key) else { return rows }
        let key = keys[order.key]
        let sorted = rows.enumerated().sorted { a, b in
            let (x, y) = (key(a.element), key(b.element))
            return x == y ? a.offset < b.offset : x.before(y)
        }.map(\.element)
        return order.reversed ? sorted.reversed() : sorted
    }

    public static func visibleOverview(_ state: ConsoleState) -> [OverviewRow] {
        var rows = state.data.overview
        if let f = filter(state) { rows = rows.filter { f.matches("\($0.apiId) \($0.apiName) \($0.stage)") } }
        return sorted(rows, state, [{ .number($0.requestsPerSecond) }, { .number(Double($0.count5xx) / Double(max(1, $0.total))) },
                                    { .number(Double($0.count4xx) / Double(max(1, $0.total))) }, { .number($0.p99 ?? 0) },
                                    { .number($0.throttledPerSecond) }, { .text("\($0.apiName) \($0.stage)") }])
    }

    public static func visibleMethods(_ state: ConsoleState) -> [MethodRow] {
        var rows = state.data.methods
        if let f = filter(state) {
            rows = rows.filter { f.matches("\($0.apiId) \($0.apiName) \($0.stage) \($0.httpMethod) \($0.resourcePath) \($0.integration)") }
        }
        return sorted(rows, state, [{ .number(Double($0.sparkline.reduce(0, +))) }, { .number($0.throttle.rate) },
                                    { .text("\($0.resourcePath) \($0.httpMethod)") }])
    }

    public static func visibleLogs(_ state: ConsoleState) -> [LogEntry] {
        guard let f = filter(state) else { return state.logs }
        return state.logs.filter { f.matches($0.record, text: LogLine.text($0)) }
    }

    /// Alarms, firing and unacknowledged first.
    public static func visibleAlarms(_ state: ConsoleState) -> [AlarmStatus] {
        func rank(_ a: AlarmStatus) -> Int { a.state == .alarm ? (a.isAcknowledged ? 1 : 0) : (a.state == .insufficientData ? 2 : 3) }
        var rows = state.data.alarms.sorted { (rank($0), $0.rule.name) < (rank($1), $1.rule.name) }
        if let f = filter(state) { rows = rows.filter { f.matches("\($0.rule.name) \($0.state.rawValue) \($0.rule.dimensions.description) \($0.rule.summary)") } }
        return sorted(rows, state, [{ .number(-$0.stateUpdated.timeIntervalSince1970) }, { .text($0.rule.name) }])
    }

    public static func visibleThrottles(_ state: ConsoleState) -> [ThrottleRow] {
        var rows = state.data.throttles
        if let f = filter(state) { rows = rows.filter { f.matches("\($0.scope.rawValue) \($0.apiId) \($0.stage) \(ThrottleForm.display($0.methodKey))") } }
        return sorted(rows, state, [{ .number($0.throttledPerSecond) }, { .number($0.ratePerSecond) },
                                    { .number($0.limit.rate > 0 ? $0.ratePerSecond / $0.limit.rate : 0) }, { .number($0.limit.rate) }])
    }

    public static func visibleDeployments(_ state: ConsoleState) -> [DeploymentRow] {
        var rows = state.data.deployments
        if let f = filter(state) { rows = rows.filter { f.matches("\($0.apiId) \($0.apiName) \($0.id) \($0.description) \($0.stages.joined(separator: " "))") } }
        return sorted(rows, state, [{ .text("\($0.apiName) \($0.apiId)") }, { .number($0.created.timeIntervalSince1970) }])
    }

    public static func visibleAudit(_ state: ConsoleState) -> [GatehouseStoreAuditEntry] {
        var rows = state.data.audit
        if let f = filter(state) { rows = rows.filter { f.matches("\($0.operatorName) \($0.source) \($0.action) \($0.target) \($0.before ?? "") \($0.after ?? "")") } }
        return sorted(rows, state, [{ .text($0.operatorName) }, { .text($0.action) }])
    }
}

/// A value rows are sorted by: numbers largest first, text alphabetically.
public enum SortValue: Equatable {
    case number(Double)
    case text(String)

    func before(_ other: SortValue) -> Bool {
        switch (self, other) {
        case let (.number(a), .number(b)): return a > b
        case let (.text(a), .text(b)): return a.localizedCaseInsensitiveCompare(b) == .orderedAscending
        case (.number, .text): return true
        case (.text, .number): return false
        }
    }
}

/// A log row as one line of text (also what the filter's regular expression reads).
public enum LogLine {
    public static func text(_ entry: LogEntry) -> String {
        let r = entry.record
        return "\(r.status) \(r.httpMethod) \(r.path) \(r.apiId ?? "-")/\(r.stage ?? "-") \(r.error ?? "")"
    }
}

extension ConsoleReducer {
    /// Adds log rows, keeping the list in request-start order (a slow call is logged when it ends, after
    /// calls that started later; ties keep the log's order).
    static func insertLogs(_ state: inout ConsoleState, _ entries: [LogEntry]) {
        let known = Set(state.logs.map(\.id))
        let fresh = entries.filter { !known.contains($0.id) }
        guard !fresh.isEmpty else { return }
        state.logs.append(contentsOf: fresh)
        let startsBefore: (LogEntry, LogEntry) -> Bool = { ($0.record.time, $0.id) < ($1.record.time, $1.id) }
        if zip(state.logs, state.logs.dropFirst()).contains(where: { startsBefore($1, $0) }) { state.logs.sort(by: startsBefore) }
    }

    /// At the top of a paused Logs view, going up loads the page of older rows from the store.
    static func pageBack(_ state: ConsoleState) -> ConsoleEffect? {
        guard state.view == .logs, !state.logFollow, !state.frozen, state.currentSelection == 0, !state.logsAtStart,
              state.filters[.logs] == nil, let oldest = state.logs.map(\.id).min() else { return nil }
        return .loadOlderLogs(before: oldest)
    }
}
