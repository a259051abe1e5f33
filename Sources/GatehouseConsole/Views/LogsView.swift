import Foundation
import GatehouseCore

/// The live access-log tail: newest at the bottom, follow or paused with "+N new", filters, detail, wrap.
enum LogsView {
    static func role(_ status: Int) -> ColorRole {
        if status >= 500 { return .error }
        if status == 429 { return .warn }
        if status >= 400 { return .warn }
        return .ok
    }

    static func draw(_ buffer: inout ScreenBuffer, _ state: ConsoleState, _ body: (x: Int, y: Int, width: Int, height: Int)) {
        if let detail = state.logDetail {
            drawDetail(&buffer, detail, body)
            return
        }
        let rows = ConsoleReducer.visibleLogs(state)
        let status = state.logFollow ? "following" : "paused" + (state.logNewWhilePaused > 0 ? "  +\(state.logNewWhilePaused) new" : "")
        buffer.put(status, x: body.x + body.width - status.count - 1, y: body.y - 1, role: state.logFollow ? .ok : .warn)
        let x = body.x + 1, width = body.width - 2
        buffer.put(header(state), x: x, y: body.y, role: .header, maxWidth: width)
        buffer.fill(x: x, y: body.y, width: width, height: 1, role: .header, clear: false)
        let visible = body.height - 1
        guard !rows.isEmpty else {
            let text = state.logs.isEmpty ? "No calls recorded yet: send traffic to the worker" : "No log row matches the filter"
            buffer.put(text, x: x + 1, y: body.y + 1, role: .muted)
            return
        }
        let selected = min(state.currentSelection, rows.count - 1)
        var lines: [(text: String, entry: LogEntry, index: Int)] = []
        let top = max(0, min(selected - visible + 1 + (state.logFollow ? 0 : visible / 2), rows.count - visible))
        for index in max(0, top)..<rows.count {
            let text = line(rows[index], state)
            if state.logWrap && text.count > width {
                var rest = Substring(text)
                while !rest.isEmpty {
                    lines.append((String(rest.prefix(width)), rows[index], index))
                    rest = rest.dropFirst(width)
                }
            } else {
                lines.append((text, rows[index], index))
            }
            if lines.count >= visible + (state.logWrap ? 0 : 0) && index >= selected { break }
        }
        if lines.count > visible { lines = Array(lines.suffix(visible)) }
        for (offset, line) in lines.enumerated() {
            let isSelected = line.index == selected
            buffer.putPadded(line.text, x: x, y: body.y + 1 + offset, width: width,
                             role: isSelected ? .selected : role(line.entry.record.status))
        }
    }

    static func header(_ state: ConsoleState) -> String {
        (state.logTimestamps ? "UTC       " : "") + "STATUS METHOD  LATENCY   API/STAGE          PATH"
    }

    static func line(_ entry: LogEntry, _ state: ConsoleState) -> String {
        let r = entry.record
        let time = state.logTimestamps ? Format.clockUTC(r.time) + "  " : ""
        let status = Format.pad(String(r.status), 6)
        let method = Format.pad(r.httpMethod, 7)
        let latency = Format.pad(Format.ms(r.latencyMs), 9)
        let target = Format.pad("\(r.apiId ?? "-")/\(r.stage ?? "-")", 18)
        let error = r.error.map { "  [\($0)]" } ?? ""
        return "\(time)\(status) \(method) \(latency) \(target) \(stagePath(r))\(error)"
    }

    /// The path inside the stage (`/pets/7?x=1`) rather than the whole invoke URL path.
    static func stagePath(_ r: AccessLogRecord) -> String {
        if let api = r.apiId, let stage = r.stage {
            let prefix = "/restapis/\(api)/\(stage)/_user_request_"
            if r.path.hasPrefix(prefix) {
                let rest = String(r.path.dropFirst(prefix.count))
                return rest.isEmpty || rest.hasPrefix("?") ? "/" + rest : rest
            }
            if r.path.hasPrefix("/\(stage)/") { return String(r.path.dropFirst(stage.count + 1)) }
        }
        return r.path
    }

    static func drawDetail(_ buffer: inout ScreenBuffer, _ entry: LogEntry, _ body: (x: Int, y: Int, width: Int, height: Int)) {
        let r = entry.record
        let fields: [(String, String)] = [
            ("id", String(entry.id)), ("request id", r.requestId), ("time", Format.dateTime.string(from: r.time) + " UTC"),
            ("api", r.apiId ?? "-"), ("stage", r.stage ?? "-"), ("resource", r.resourcePath ?? "- (no route)"),
            ("method", r.httpMethod), ("path", r.path), ("status", String(r.status)), ("latency", Format.ms(r.latencyMs)),
            ("integration latency", Format.ms(r.integrationLatencyMs)), ("request bytes", String(r.requestBytes)),
            ("response bytes", String(r.responseBytes)), ("source ip", r.sourceIp ?? "-"), ("user agent", r.userAgent ?? "-"),
            ("api key", r.apiKeyId ?? "-"), ("error", r.error ?? "-"),
        ]
        buffer.box(x: body.x + 1, y: body.y, width: body.width - 2, height: min(body.height, fields.count + 2), title: "request \(r.requestId)")
        for (i, field) in fields.enumerated() where i < body.height - 2 {
            buffer.putPadded(field.0, x: body.x + 3, y: body.y + 1 + i, width: 20, role: .muted)
            buffer.put(field.1, x: body.x + 24, y: body.y + 1 + i, role: field.0 == "status" ? role(r.status) : .normal,
                       maxWidth: body.width - 27)
        }
    }
}
