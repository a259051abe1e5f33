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
            case .domains: DomainsView.draw(&buffer, state, body)
            case .alarms: AlarmsView.draw(&buffer, state, body)
            case .keys: KeysView.draw(&buffer, state, body)
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

    /// A piece of the header or footer line: what gives way first on a narrow screen is the lowest priority.
    struct Item {
        var text: String
        var role: ColorRole
        var priority: Int
    }

    /// The indices of the items that fit in `width`, in order: the lowest priorities (the rightmost first
    /// among equals) are left out until the rest fits.
    static func fitting(_ items: [Item], width: Int) -> [Int] {
        var kept = Array(items.indices)
        let byPriority = items.indices.sorted { (items[$0].priority, -$0) < (items[$1].priority, -$1) }
        for index in byPriority where kept.reduce(0, { $0 + items[$1].text.count }) > width {
            kept.removeAll { $0 == index }
        }
        return kept
    }

    static func header(_ buffer: inout ScreenBuffer, _ state: ConsoleState) {
        let data = state.data
        buffer.fill(x: 0, y: 0, width: buffer.width, height: 1, role: .title)
        // State badges (frozen, read-only, saving, the window) outrank everything on the left but the name.
        var right: [Item] = []
        if state.readOnly { right.append(Item(text: " read-only", role: .title, priority: 9)) }
        if state.frozen { right.append(Item(text: " FROZEN", role: .warn, priority: 10)) }
        if let saving = state.saving.last {
            right.append(Item(text: " saving… \(saving)" + (state.saving.count > 1 ? " +\(state.saving.count - 1)" : ""), role: .warn, priority: 10))
        }
        right.append(Item(text: " \(state.window.label) ", role: .title, priority: 9))
        var left = [Item(text: " Gatehouse ", role: .title, priority: 11)]
        if data.workerUp, let worker = data.newestWorker {
            left.append(Item(text: " ● worker up ", role: .ok, priority: 8))
            left.append(Item(text: "pid \(worker.pid) \(worker.listen) ", role: .title, priority: 1))
            if worker.telemetryErrors > 0 || worker.telemetryDropped > 0 {
                left.append(Item(text: " telemetry: \(worker.telemetryErrors) write errors, \(worker.telemetryDropped) dropped ", role: .error, priority: 7))
            }
            if worker.tlsHandshakeFailures > 0 {
                left.append(Item(text: " TLS ✗\(worker.tlsHandshakeFailures) ", role: .warn, priority: 4))
            }
        } else if let worker = data.newestWorker {
            left.append(Item(text: " ● worker down ", role: .error, priority: 8))
            left.append(Item(text: "last beat \(Format.age(max(0, data.now.timeIntervalSince(worker.lastBeat)))) ago ", role: .title, priority: 2))
        } else {
            left.append(Item(text: " ● no worker ", role: .warn, priority: 8))
        }
        if let soonest = data.expiringDomains.first {
            let days = soonest.daysLeft(at: data.now)
            let more = data.expiringDomains.count > 1 ? " +\(data.expiringDomains.count - 1)" : ""
            let text = days.map { $0 < 0 ? " cert EXPIRED \(soonest.name)\(more) " : " cert \(soonest.name) \($0)d\(more) " } ?? " cert unreadable \(soonest.name)\(more) "
            left.append(Item(text: text, role: (days ?? -1) < 7 ? .error : .warn, priority: 8))
        }
        let firing = data.unacknowledgedAlarms.count
        let inAlarm = data.alarms.filter { $0.state == .alarm }.count
        if firing > 0 {
            left.append(Item(text: " ▲ \(firing) ALARM unacknowledged ", role: .error, priority: 9))
        } else if inAlarm > 0 {
            left.append(Item(text: " \(inAlarm) ALARM (ack) ", role: .warn, priority: 7))
        }
        let total = data.overview.reduce(0) { $0 + $1.total }
        let c4 = data.overview.reduce(0) { $0 + $1.count4xx }, c5 = data.overview.reduce(0) { $0 + $1.count5xx }
        let rps = data.overview.reduce(0.0) { $0 + $1.requestsPerSecond }
        left.append(Item(text: " req/s \(Format.rate(rps)) ", role: .title, priority: 5))
        left.append(Item(text: " 4xx \(Format.percent(c4, of: total)) ", role: c4 > 0 ? .warn : .title, priority: 3))
        left.append(Item(text: " 5xx \(Format.percent(c5, of: total)) ", role: c5 > 0 ? .error : .title, priority: 4))
        left.append(Item(text: " store \(Format.bytes(data.storeBytes)) ", role: .title, priority: 0))
        let items = left + right
        let shown = fitting(items, width: buffer.width)
        var x = 0
        for index in shown where index < left.count { x += buffer.put(items[index].text, x: x, y: 0, role: items[index].role) }
        let rightShown = shown.filter { $0 >= left.count }
        var rx = buffer.width - rightShown.reduce(0) { $0 + items[$1].text.count }
        for index in rightShown { rx += buffer.put(items[index].text, x: rx, y: 0, role: items[index].role) }
    }

    static func tabs(_ buffer: inout ScreenBuffer, _ state: ConsoleState) {
        // Every view by number and name; when that does not fit, the others by number only.
        let full = ConsoleView.allCases.reduce(0) { $0 + " \($1.rawValue) \($1.title) ".count }
        var x = 0
        for view in ConsoleView.allCases {
            let label = full <= buffer.width || view == state.view ? " \(view.rawValue) \(view.title) " : " \(view.rawValue) "
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
        // The view's own keys first, then the general ones; q:quit and ?:help always stay.
        var own: [String]
        switch state.view {
        case .logs: own = ["f:follow", "t:time", "w:wrap", "enter:detail", "/status:5xx"]
        case .throttles: own = ["e:edit"]
        case .apis: own = ["e:throttle", "enter:chart"]
        case .deployments: own = ["r:roll back"]
        case .alarms: own = ["a:ack", "n:new", "e:edit", "d:delete"]
        case .keys: own = ["e:plan throttle", "E:quota", "d:disable key"]
        default: own = []
        }
        let general = [("?:help", 10), ("::cmd", 5), ("/:filter", 6), ("s/S:sort", 4), ("1-9:views", 3), ("enter/esc:drill", 2),
                       ("[ ]:window", 1), ("Z:freeze", 1), ("q:quit", 10)]
        let items = own.enumerated().map { Item(text: " " + $0.element + " ", role: .status, priority: 9 - $0.offset) }
            + general.map { Item(text: " " + $0.0 + " ", role: .status, priority: $0.1) }
        var x = 0
        for index in fitting(items, width: buffer.width) { x += buffer.put(items[index].text, x: x, y: y, role: .status) }
    }
}
