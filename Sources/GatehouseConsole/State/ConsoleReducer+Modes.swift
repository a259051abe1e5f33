import Foundation
import GatehouseCore
import GatehouseStore

/// Keys while a mode owns the keyboard — a confirmation, the throttle form, the alarm form, a text prompt, the
/// stage choice, the command line or the filter — and the forms' openers.
extension ConsoleReducer {
    /// The form starts from the method's own setting, else the limit in force for it (the stage default or
    /// the account's), so an edit begins from what applies now.
    /// With `plan`, the form edits that usage plan's per-key limit instead.
    static func openForm(apiId: String, stage: String, methodKey: String, plan: (id: String, name: String)? = nil, before: ThrottleLimit?,
                         inForce: ThrottleLimit? = nil, _ state: inout ConsoleState) -> [ConsoleEffect] {
        guard allowWrite(&state) else { return [] }
        let seed = before ?? inForce ?? ThrottleLimit(rate: 10, burst: 20)
        var form = ThrottleForm(apiId: apiId, stage: stage, methodKey: methodKey, before: before,
                                rate: seed.rate == seed.rate.rounded() ? String(Int(seed.rate)) : String(seed.rate),
                                burst: String(seed.burst))
        form.planId = plan?.id
        form.planName = plan?.name ?? ""
        form.field = .rate
        state.form = form
        return [previewEffect(form, seed)]
    }

    /// The replay a form's limit asks for: the stage's (or account's) recorded traffic, or each of a plan's keys'.
    static func previewEffect(_ form: ThrottleForm, _ limit: ThrottleLimit) -> ConsoleEffect {
        form.planId.map { .previewPlanThrottle(planId: $0, limit: limit) }
            ?? .previewThrottle(apiId: form.apiId, stage: form.stage, methodKey: form.methodKey, limit: limit)
    }

    static func allowWrite(_ state: inout ConsoleState) -> Bool {
        if state.readOnly {
            state.message = "read-only: writes are disabled (started with --read-only)"
            state.messageIsError = true
            return false
        }
        return true
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
            return [previewEffect(form, limit)]
        }
        return []
    }

    /// Completions for the command line.
    public static let commands: [String] = ConsoleView.allCases.map(\.command) + ["messages", "theme default", "theme light", "theme mono", "q", "quit"]
        + ["api create ", "api rename ", "api delete ", "resource create ", "resource delete ", "method create ", "method delete ", "deploy ",
           "stage create ", "stage delete ", "stage var "]

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
        switch ConsoleEdit.parse(command) {
        case .success(let edit)?:
            guard allowWrite(&state) else { return [] }
            state.confirmation = Confirmation(question: edit.question, effect: .edit(edit))
            return []
        case .failure(let error)?:
            post(error.message, isError: true, &state)
            return []
        case nil:
            break
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
}
