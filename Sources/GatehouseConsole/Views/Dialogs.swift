import Foundation
import GatehouseCore

/// Overlays: the throttle form with its replay preview, confirmations, and the help card.
enum Dialogs {
    static func centered(_ buffer: inout ScreenBuffer, width: Int, height: Int, title: String) -> (x: Int, y: Int, width: Int, height: Int) {
        let w = min(width, buffer.width - 2), h = min(height, buffer.height - 2)
        let x = (buffer.width - w) / 2, y = (buffer.height - h) / 2
        buffer.fill(x: x, y: y, width: w, height: h, role: .normal)
        buffer.box(x: x, y: y, width: w, height: h, title: title)
        return (x, y, w, h)
    }

    static func throttleForm(_ buffer: inout ScreenBuffer, _ form: ThrottleForm) {
        let box = centered(&buffer, width: 64, height: 10, title: "Edit throttle")
        let x = box.x + 2
        buffer.put(form.title, x: x, y: box.y + 1, role: .accent, maxWidth: box.width - 4)
        buffer.put("now: \(form.before?.description ?? "not set here")", x: x, y: box.y + 2, role: .muted, maxWidth: box.width - 4)
        buffer.put("rate  (req/s)", x: x, y: box.y + 4, role: .normal)
        buffer.putPadded(form.rate + (form.field == .rate ? "▏" : ""), x: x + 16, y: box.y + 4, width: 12, role: form.field == .rate ? .selected : .normal)
        buffer.put("burst (bucket)", x: x, y: box.y + 5, role: .normal)
        buffer.putPadded(form.burst + (form.field == .burst ? "▏" : ""), x: x + 16, y: box.y + 5, width: 12, role: form.field == .burst ? .selected : .normal)
        let preview: (String, ColorRole)
        if form.limit == nil {
            preview = ("enter a rate ≥ 0 and a whole burst ≥ 0", .error)
        } else if let rejected = form.preview, form.previewFor == form.limit {
            // Named for the span the replay had traffic for, not always "the last hour".
            let span = form.previewSeconds.map { $0 >= 3540 ? "the last hour" : $0 > 0 ? "the \(Format.age(Double($0))) on record" : "" } ?? "the last hour"
            preview = span.isEmpty ? ("no traffic on record to replay", .muted)
                : ("would have rejected \(rejected) requests over \(span)", rejected > 0 ? .warn : .ok)
        } else {
            preview = ("replaying the last hour…", .muted)
        }
        buffer.put(preview.0, x: x, y: box.y + 7, role: preview.1, maxWidth: box.width - 4)
        buffer.put("tab: field  enter: save  esc: cancel", x: x, y: box.y + 8, role: .muted)
    }

    static func alarmForm(_ buffer: inout ScreenBuffer, _ form: AlarmForm) {
        let box = centered(&buffer, width: 76, height: form.fields.count + 5 + min(3, form.problems.count), title: form.isNew ? "New alarm" : "Edit alarm")
        for (i, field) in form.fields.enumerated() where i < box.height - 4 {
            let focused = i == form.focus
            buffer.putPadded(field.label, x: box.x + 2, y: box.y + 1 + i, width: 20, role: .muted)
            buffer.putPadded(field.text + (focused ? "▏" : ""), x: box.x + 23, y: box.y + 1 + i, width: box.width - 26,
                             role: focused ? .selected : .normal)
        }
        for (i, problem) in form.problems.prefix(3).enumerated() {
            buffer.put(problem, x: box.x + 2, y: box.y + form.fields.count + 2 + i, role: .error, maxWidth: box.width - 4)
        }
        buffer.put("tab/↑↓: field  enter: save  esc: cancel", x: box.x + 2, y: box.y + box.height - 2, role: .muted)
    }

    static func prompt(_ buffer: inout ScreenBuffer, _ prompt: TextPrompt) {
        let box = centered(&buffer, width: 70, height: 5, title: "Acknowledge")
        buffer.put(prompt.title, x: box.x + 2, y: box.y + 1, role: .normal, maxWidth: box.width - 4)
        buffer.putPadded(prompt.text + "▏", x: box.x + 2, y: box.y + 2, width: box.width - 4, role: .selected)
        buffer.put("enter: continue  esc: cancel", x: box.x + 2, y: box.y + 3, role: .muted)
    }

    /// The question wraps onto as many lines as it needs, so nothing of it is cut at 80 columns.
    static func confirm(_ buffer: inout ScreenBuffer, _ confirmation: Confirmation) {
        let width = min(buffer.width - 4, max(40, confirmation.question.count + 6))
        let lines = Format.wrap(confirmation.question, width: width - 4)
        let box = centered(&buffer, width: width, height: lines.count + 4, title: "Confirm")
        for (i, line) in lines.enumerated() { buffer.put(line, x: box.x + 2, y: box.y + 1 + i, role: .warn, maxWidth: box.width - 4) }
        buffer.put("y: yes   n / esc: no", x: box.x + 2, y: box.y + lines.count + 2, role: .muted)
    }

    static func keys(for view: ConsoleView) -> [(String, String)] {
        var keys: [(String, String)] = []
        switch view {
        case .logs: keys = [("f", "follow / pause"), ("t", "timestamps"), ("w", "wrap"), ("enter", "whole record"),
                            ("n N", "next / previous failed call (4xx, 5xx)"),
                            ("/", "filter: status:5xx method:GET path:/pets api:ID stage:NAME key:ID, or a regex")]
        case .throttles: keys = [("e", "edit rate and burst (shows what the last hour would have rejected)"), ("enter", "describe the row in full")]
        case .audit: keys = [("enter", "describe the entry: its whole before → after")]
        case .domains: keys = [("enter", "describe the domain: certificate file, expiry, TLS, mappings")]
        case .apis: keys = [("e", "set a throttle on the method"), ("v", "change the stage's variables (:stage var API STAGE name=value -name)"),
                            ("enter", "chart the method"),
                            (":api", "create NAME | rename API NAME | delete API"), (":resource", "create|delete API /path"),
                            (":method", "create API VERB /path mock|URL | delete API VERB /path"),
                            (":stage", "create API STAGE DEPLOYMENT | delete API STAGE | var …"), (":deploy", "API STAGE")]
        case .overview: keys = [("enter", "chart the API and stage")]
        case .deployments: keys = [("r", "point a stage at the selected deployment (asks which stage)"), ("enter", "describe the row in full")]
        case .keys: keys = [("e", "edit the selected plan's per-key throttle (shows what its keys' last hour would have had rejected)"),
                            ("E", "edit the selected plan's quota: LIMIT/day|week|month (says which keys are past it)"),
                            ("d", "disable (or enable) the selected key, after a confirmation"), ("enter", "describe the row in full")]
        case .alarms: keys = [("a", "acknowledge the selected alarm, with a note"), ("n", "new alarm"), ("e", "edit the selected alarm"),
                              ("d", "delete the selected alarm"), ("enter", "describe: the whole reason and the history")]
        default: break
        }
        return keys + [("1-9 tab", "switch view"), ("j k ↑ ↓", "move"), ("g G", "top / bottom"), ("pgup pgdn ^b ^f", "page"),
                       ("enter esc", "drill down / back"), ("/", "filter (live)"), ("s S", "sort by the next column / reverse"), ("[ ]", "time window 5m…24h"),
                       ("Z", "freeze / resume"), (":", "command: :logs :theme light :q …"), ("q", "back, or quit"),
                       ("ctrl-c", "quit")]
    }

    static func help(_ buffer: inout ScreenBuffer, _ view: ConsoleView) {
        let keys = keys(for: view)
        let box = centered(&buffer, width: 76, height: keys.count + 3, title: "Keys — \(view.title)")
        for (i, key) in keys.enumerated() where i < box.height - 2 {
            buffer.putPadded(key.0, x: box.x + 2, y: box.y + 1 + i, width: 16, role: .accent)
            buffer.put(key.1, x: box.x + 19, y: box.y + 1 + i, role: .normal, maxWidth: box.width - 21)
        }
        buffer.put("? or esc closes", x: box.x + box.width - 17, y: box.y + box.height - 1, role: .muted)
    }

    /// `:messages`: recent results and errors, newest first, with their time (UTC).
    static func messages(_ buffer: inout ScreenBuffer, _ log: [ConsoleMessage]) {
        let rows = max(1, min(log.count, buffer.height - 6))
        let box = centered(&buffer, width: min(buffer.width - 2, 110), height: rows + 3, title: "Messages (newest first)")
        if log.isEmpty {
            buffer.put("no results or errors yet", x: box.x + 2, y: box.y + 1, role: .muted)
        }
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "HH:mm:ss"
        for (i, message) in log.reversed().prefix(rows).enumerated() {
            buffer.put(formatter.string(from: message.time), x: box.x + 2, y: box.y + 1 + i, role: .muted)
            buffer.put(message.text, x: box.x + 12, y: box.y + 1 + i, role: message.isError ? .error : .ok, maxWidth: box.width - 14)
        }
        buffer.put("esc closes", x: box.x + box.width - 12, y: box.y + box.height - 1, role: .muted)
    }

    /// Which stage `r` points at the deployment: one line per stage, the chosen one highlighted.
    static func stageChoice(_ buffer: inout ScreenBuffer, _ choice: StageChoice) {
        let box = centered(&buffer, width: min(buffer.width - 4, 60), height: choice.stages.count + 4, title: "Roll back which stage?")
        buffer.put("deployment \(choice.deploymentId) of \(choice.apiId)", x: box.x + 2, y: box.y + 1, role: .muted, maxWidth: box.width - 4)
        for (i, stage) in choice.stages.enumerated() {
            buffer.putPadded("\(i + 1)  \(stage)", x: box.x + 2, y: box.y + 2 + i, width: box.width - 4,
                             role: i == choice.selected ? .selected : .normal)
        }
        buffer.put("j/k: choose  enter: continue  esc: cancel", x: box.x + 2, y: box.y + box.height - 1, role: .muted, maxWidth: box.width - 4)
    }

    /// Enter on a row: every field, long values wrapped onto as many lines as they need.
    static func describe(_ buffer: inout ScreenBuffer, _ description: RowDescription) {
        let width = buffer.width - 4
        let nameWidth = min(22, max(8, (description.fields.map(\.name.count).max() ?? 8) + 2))
        let valueWidth = max(10, width - nameWidth - 5)
        var lines: [(String, String)] = []
        for field in description.fields {
            for (n, line) in Format.wrap(field.value, width: valueWidth).enumerated() { lines.append((n == 0 ? field.name : "", line)) }
        }
        let shown = min(lines.count, buffer.height - 6)
        let box = centered(&buffer, width: width, height: shown + 3, title: description.title)
        for (row, line) in lines.prefix(shown).enumerated() {
            buffer.put(line.0, x: box.x + 2, y: box.y + 1 + row, role: .muted, maxWidth: nameWidth)
            buffer.put(line.1, x: box.x + 3 + nameWidth, y: box.y + 1 + row, role: .normal, maxWidth: valueWidth)
        }
        let more = lines.count > shown ? "\(lines.count - shown) more lines; " : ""
        buffer.put(more + "esc closes", x: box.x + 2, y: box.y + box.height - 1, role: .muted, maxWidth: box.width - 4)
    }
}
