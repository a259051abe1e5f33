import Foundation
import GatehouseCore

/// The throttle edit form: what is being edited, the typed values and the replay preview.
public struct ThrottleForm: Sendable, Equatable {
    /// Which input has the cursor.
    public enum Field: Sendable, Equatable { case rate, burst }

    public var apiId: String
    public var stage: String
    /// `*/*`, `/path/VERB`, or `*` for the account.
    public var methodKey: String
    /// A usage plan's per-key limit instead (its id and name), from the Keys & plans view.
    public var planId: String?
    public var planName = ""
    public var before: ThrottleLimit?
    public var rate: String
    public var burst: String
    public var field: Field = .rate
    /// Requests the typed limit would have rejected over the last hour, once computed.
    public var preview: Int?
    public var previewFor: ThrottleLimit?
    /// How much of the last hour the replay had traffic for (from the first call on record), in seconds.
    public var previewSeconds: Int?

    public var limit: ThrottleLimit? {
        guard let r = Double(rate), r >= 0, r.isFinite, let b = Int(burst), b >= 0 else { return nil }
        return ThrottleLimit(rate: r, burst: b)
    }

    public var title: String {
        if planId != nil { return "plan \(planName), per key" }
        return methodKey == "*" ? "account" : "\(apiId)/\(stage) \(ThrottleForm.display(methodKey))"
    }

    /// `/pets/GET` → `GET /pets`.
    public static func display(_ key: String) -> String {
        if key == "*" { return "account" }
        if key == Stage.defaultSettingsKey { return "stage default (*/*)" }
        return Stage.methodLabel(settingsKey: key)
    }
}

/// A view's sort: an index into its sort keys and a direction.
public struct SortOrder: Sendable, Equatable {
    public var key: Int
    public var reversed: Bool
}

/// A write waiting for the operator's yes.
public struct Confirmation: Sendable, Equatable {
    public var question: String
    public var effect: ConsoleEffect
}

/// What Enter shows for a row (as k9s's describe): every field in full, long values wrapped.
public struct RowDescription: Sendable, Equatable {
    public var title: String
    public var fields: [Field]

    /// One name and its whole value.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }
}

/// `r` in Deploys when the API has several stages: which one to point at the selected deployment.
public struct StageChoice: Sendable, Equatable {
    public var apiId: String
    public var deploymentId: String
    public var stages: [String]
    public var selected: Int
}

/// Everything the console shows and remembers; changed only by `ConsoleReducer`.
public struct ConsoleState: Sendable, Equatable {
    public var view: ConsoleView = .overview
    public var backStack: [ConsoleView] = []
    public var data = ConsoleData()
    public var logs: [LogEntry] = []
    public var logFollow = true
    public var logNewWhilePaused = 0
    public var logTimestamps = true
    public var logWrap = false
    public var logDetail: LogEntry?
    /// Paging back found nothing older: the oldest row the store keeps is on screen.
    public var logsAtStart = false
    public var selection: [ConsoleView: Int] = [:]
    /// Per view: which of its sort keys orders the rows (`s`), and whether reversed (`S`); none is natural order.
    public var sorts: [ConsoleView: SortOrder] = [:]
    public var filters: [ConsoleView: String] = [:]
    public var filterEditing = false
    public var command: String?
    /// What Tab is cycling the completions of (set once a second Tab starts cycling).
    public var completionPrefix: String?
    public var help = false
    public var window: TimeWindow = .m5
    public var frozen = false
    public var chartTarget: ChartTarget?
    public var form: ThrottleForm?
    public var alarmForm: AlarmForm?
    public var prompt: TextPrompt?
    public var stageChoice: StageChoice?
    public var description: RowDescription?
    public var confirmation: Confirmation?
    public var message: String?
    public var messageIsError = false
    /// The message is a write's result: it stays until dismissed with esc (a hint goes with the next key).
    public var messageSticks = false
    /// Writes under way, off the UI loop ("saving…" in the header), oldest first.
    public var saving: [String] = []
    /// Recent results and errors, newest last (`:messages`), as k9s keeps its flash messages.
    public var messageLog: [ConsoleMessage] = []
    /// The `:messages` overlay is open.
    public var showMessages = false
    public var readOnly = false
    public var operatorName = "operator"
    public var themeName = "default"
    /// The theme has no colours: charts tell series apart by glyph.
    public var monochrome = false
    public var storeProblem: String?
    /// No data has come from the store yet (it is slow, or another process holds it).
    public var waitingForStore = false
    public var quit = false

    /// Messages kept for `:messages`.
    public static let messageLogCapacity = 100

    /// Log rows kept in memory for the tail.
    public static let logCapacity = 2000
    /// Rows a following Logs view reads per refresh at most (five screenfuls at 200×60; older ones are paged in).
    public static let logFollowRead = 300
    /// Rows held while paging back into the store.
    public static let logPagedCapacity = 20_000
    /// Rows loaded per page back, and around a found row.
    public static let logPage = 500

    public init(readOnly: Bool = false, operatorName: String = "operator", themeName: String = "default") {
        self.readOnly = readOnly
        self.operatorName = operatorName
        self.themeName = themeName
    }

    public var currentSelection: Int { selection[view] ?? 0 }
    public var currentFilter: String? { filters[view].flatMap { $0.isEmpty ? nil : $0 } }

    /// Whether the current filter compiles (an invalid one is shown in the error colour and matches all).
    public var filterIsValid: Bool {
        guard let filter = currentFilter else { return true }
        return ConsoleFilter(filter) != nil
    }

    public var breadcrumb: [String] {
        var parts = backStack.map(\.title) + [view.title]
        if view == .charts, let target = chartTarget ?? data.chartTarget { parts.append(target.label) }
        if view == .logs, let detail = logDetail { parts.append(detail.record.requestId) }
        return parts
    }
}

/// A `/` filter: `field:value` tokens (`status:5xx`, `method:GET`, `path:/pets`, `api:…`, `stage:…`, `key:…`,
/// `auth:denied` for calls an authorizer or policy refused, `caller:…` for one principal) and
/// a case-insensitive regular expression over the rest of the row text.
public struct ConsoleFilter: Sendable {
    let regex: NSRegularExpression?
    let fields: [(String, String)]

    public init?(_ text: String) {
        var rest: [String] = []
        var fields: [(String, String)] = []
        for token in text.split(separator: " ") {
            let parts = token.split(separator: ":", maxSplits: 1)
            if parts.count == 2, ["status", "method", "path", "api", "stage", "key", "auth", "caller"].contains(parts[0].lowercased()) {
                fields.append((parts[0].lowercased(), String(parts[1])))
            } else {
                rest.append(String(token))
            }
        }
        self.fields = fields
        if rest.isEmpty {
            regex = nil
        } else {
            guard let compiled = try? NSRegularExpression(pattern: rest.joined(separator: " "), options: [.caseInsensitive]) else { return nil }
            regex = compiled
        }
    }

    /// Whether the access log's error (`TYPE` or `TYPE: detail`) is a refusal by authorization.
    static func isAuthorizationRefusal(_ error: String?) -> Bool {
        guard let type = error?.split(separator: ":", maxSplits: 1).first else { return false }
        return GatewayResponseType(rawValue: String(type))?.authorizationRefusal != nil
    }

    public func matches(_ text: String) -> Bool {
        guard let regex else { return true }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    public func matches(_ record: AccessLogRecord, text: String) -> Bool {
        for (field, value) in fields {
            switch field {
            case "status":
                let status = String(record.status)
                if value.lowercased().hasSuffix("xx") {
                    if status.first != value.first { return false }
                } else if status != value { return false }
            case "method": if record.httpMethod.lowercased() != value.lowercased() { return false }
            case "path": if !record.path.lowercased().contains(value.lowercased()) { return false }
            case "api": if record.apiId != value { return false }
            case "stage": if record.stage != value { return false }
            case "key": if record.apiKeyId != value { return false }
            case "caller": if record.principal != value { return false }
            case "auth":
                // A routed call only: an unknown route is also AWS's "Missing Authentication Token".
                let denied = record.resourcePath != nil && Self.isAuthorizationRefusal(record.error)
                switch value.lowercased() {
                case "denied": if !denied { return false }
                case "allowed": if denied || record.principal == nil { return false }
                default: return false
                }
            default: break
            }
        }
        return matches(text)
    }
}

/// One result or error shown on the message line, kept for `:messages`.
public struct ConsoleMessage: Sendable, Equatable {
    public var time: Date
    public var text: String
    public var isError: Bool

    public init(time: Date, text: String, isError: Bool) {
        self.time = time
        self.text = text
        self.isError = isError
    }
}
