import Foundation
import GatehouseCore

/// `render(state, size) → ScreenBuffer`: the whole console as a pure function of its state.
public enum ConsoleRenderer {
    public static func render(_ state: ConsoleState, width: Int, height: Int) -> ScreenBuffer {
        var buffer = ScreenBuffer(width: width, height: height)
        guard width >= 40, height >= 10 else {
            buffer.put("Gatehouse needs at least 40×10 (this is \(width)×\(height))", x: 0, y: 0, role: .warn)
            return buffer
        }
        header(&buffer, state)
        tabs(&buffer, state)
        crumbs(&buffer, state)
        let body = (x: 0, y: 3, width: width, height: height - 4)
        if let problem = state.storeProblem {
            buffer.put("Store problem: \(problem)", x: 1, y: body.y + 1, role: .error, maxWidth: width - 2)
            buffer.put("The console keeps trying every refresh; q quits.", x: 1, y: body.y + 2, role: .muted)
        } else if state.waitingForStore {
            buffer.put("waiting for the store… (another process may hold it; q quits)", x: 1, y: body.y + 1, role: .warn, maxWidth: width - 2)
        } else {
            switch state.view {
            case .overview: OverviewView.draw(&buffer, state, body)
            case .apis: ApisView.draw(&buffer, state, body)
            case .logs: LogsView.draw(&buffer, state, body)
            case .charts: ChartsView.draw(&buffer, state, body)
            case .throttles: ThrottlesView.draw(&buffer, state, body)
            case .deployments: DeploymentsView.draw(&buffer, state, body)
            case .audit: AuditView.draw(&buffer, state, body)
            case .alarms: AlarmsView.draw(&buffer, state, body)
            case .keys:
                placeholder(&buffer, body, "API keys and usage plans arrive with their issue: plans, keys, quota used and left.")
            }
        }
        footer(&buffer, state)
        if let form = state.form { Dialogs.throttleForm(&buffer, form) }
        if let form = state.alarmForm { Dialogs.alarmForm(&buffer, form) }
        if let prompt = state.prompt { Dialogs.prompt(&buffer, prompt) }
        if let description = state.description { Dialogs.describe(&buffer, description) }
        if let choice = state.stageChoice { Dialogs.stageChoice(&buffer, choice) }
        if let confirmation = state.confirmation { Dialogs.confirm(&buffer, confirmation) }
        if state.help { Dialogs.help(&buffer, state.view) }
        if state.showMessages { Dialogs.messages(&buffer, state.messageLog) }
        return buffer
    }

    static func placeholder(_ buffer: inout ScreenBuffer, _ body: (x: Int, y: Int, width: Int, height: Int), _ text: String) {
        buffer.put(text, x: 2, y: body.y + 2, role: .muted, maxWidth: body.width - 4)
    }

    static func header(_ buffer: inout ScreenBuffer, _ state: ConsoleState) {
        let data = state.data
        buffer.fill(x: 0, y: 0, width: buffer.width, height: 1, role: .title)
        var x = buffer.put(" Gatehouse ", x: 0, y: 0, role: .title)
        if data.workerUp, let worker = data.newestWorker {
            x += buffer.put(" ● worker up ", x: x, y: 0, role: .ok)
            x += buffer.put("pid \(worker.pid) \(worker.listen) ", x: x, y: 0, role: .title)
            if worker.telemetryErrors > 0 || worker.telemetryDropped > 0 {
                x += buffer.put(" telemetry: \(worker.telemetryErrors) write errors, \(worker.telemetryDropped) dropped ", x: x, y: 0, role: .error)
            }
        } else if let worker = data.newestWorker {
            x += buffer.put(" ● worker down ", x: x, y: 0, role: .error)
            x += buffer.put("last beat \(Format.age(max(0, data.now.timeIntervalSince(worker.lastBeat)))) ago ", x: x, y: 0, role: .title)
        } else {
            x += buffer.put(" ● no worker ", x: x, y: 0, role: .warn)
        }
        let firing = data.unacknowledgedAlarms.count
        let inAlarm = data.alarms.filter { $0.state == .alarm }.count
        if firing > 0 {
            x += buffer.put(" ▲ \(firing) ALARM unacknowledged ", x: x, y: 0, role: .error)
        } else if inAlarm > 0 {
            x += buffer.put(" \(inAlarm) ALARM (ack) ", x: x, y: 0, role: .warn)
        }
        let total = data.overview.reduce(0) { $0 + $1.total }
        let c4 = data.overview.reduce(0) { $0 + $1.count4xx }, c5 = data.overview.reduce(0) { $0 + $1.count5xx }
        let rps = data.overview.reduce(0.0) { $0 + $1.requestsPerSecond }
        x += buffer.put(" req/s \(Format.rate(rps)) ", x: x, y: 0, role: .title)
        x += buffer.put(" 4xx \(Format.percent(c4, of: total)) ", x: x, y: 0, role: c4 > 0 ? .warn : .title)
        x += buffer.put(" 5xx \(Format.percent(c5, of: total)) ", x: x, y: 0, role: c5 > 0 ? .error : .title)
        x += buffer.put(" store \(Format.bytes(data.storeBytes)) ", x: x, y: 0, role: .title)
        var right = " \(state.window.label) "
        if let saving = state.saving.last { right = " saving… \(saving)" + (state.saving.count > 1 ? " +\(state.saving.count - 1)" : "") + right }
        if state.frozen { right = " FROZEN" + right }
        if state.readOnly { right = " read-only" + right }
        if buffer.width - right.count > x {
            buffer.put(right, x: buffer.width - right.count, y: 0, role: state.frozen || !state.saving.isEmpty ? .warn : .title)
        }
    }

    static func tabs(_ buffer: inout ScreenBuffer, _ state: ConsoleState) {
        var x = 0
        for view in ConsoleView.allCases {
            let label = " \(view.rawValue) \(view.title) "
            if x + label.count > buffer.width { break }
            x += buffer.put(label, x: x, y: 1, role: view == state.view ? .tabActive : .tab)
        }
    }

    static func crumbs(_ buffer: inout ScreenBuffer, _ state: ConsoleState) {
        let trail = state.breadcrumb.joined(separator: " › ")
        var used = buffer.put(" " + trail, x: 0, y: 2, role: .accent)
        if let caption = ConsoleReducer.sortCaption(state) { used += buffer.put("  " + caption, x: used, y: 2, role: .muted) }
        if let filter = state.filters[state.view] {
            let text = " /\(filter)\(state.filterEditing ? "▏" : "") "
            buffer.put(text, x: used + 2, y: 2, role: state.filterIsValid ? .filterValid : .filterInvalid,
                       maxWidth: buffer.width - used - 2)
        }
    }

    static func footer(_ buffer: inout ScreenBuffer, _ state: ConsoleState) {
        let y = buffer.height - 1
        buffer.fill(x: 0, y: y, width: buffer.width, height: 1, role: .status)
        if let command = state.command {
            buffer.put(":" + command + "▏", x: 0, y: y, role: .status)
            let completions = ConsoleReducer.commands.filter { $0.hasPrefix(command) && !command.isEmpty }.prefix(6)
            if !completions.isEmpty {
                let hint = completions.joined(separator: "  ")
                buffer.put(hint, x: max(command.count + 4, buffer.width - hint.count - 1), y: y, role: .muted)
            }
            return
        }
        if let message = state.message {
            let dismiss = state.messageSticks ? "  (esc dismisses, :messages lists)" : ""
            buffer.put(" " + message + dismiss, x: 0, y: y, role: state.messageIsError ? .error : .ok)
            return
        }
        var hints = "?:help  ::cmd  /:filter  s/S:sort  1-9:views  enter/esc:drill  [ ]:window  Z:freeze  q:quit"
        switch state.view {
        case .logs: hints = "f:follow  t:time  w:wrap  enter:detail  /status:5xx  " + hints
        case .throttles: hints = "e:edit  " + hints
        case .apis: hints = "e:throttle  enter:chart  " + hints
        case .deployments: hints = "r:roll back  " + hints
        case .alarms: hints = "a:ack  n:new  e:edit  d:delete  " + hints
        default: break
        }
        buffer.put(" " + hints, x: 0, y: y, role: .status)
    }
}
