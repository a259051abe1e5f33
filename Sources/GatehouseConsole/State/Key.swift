/// A key press as the console understands it, decoded by the terminal layer.
public enum Key: Sendable, Equatable {
    case char(Character)
    case ctrl(Character)
    case enter, escape, tab, backTab, backspace
    case up, down, left, right, pageUp, pageDown, home, end
}

/// The console's screens. 1–7 follow CONSOLE.md; deployments, audit and custom domains come after.
public enum ConsoleView: Int, Sendable, CaseIterable, Hashable {
    case overview = 1, apis, logs, charts, alarms, throttles, keys, deployments, audit, domains

    public var title: String {
        switch self {
        case .overview: return "Overview"
        case .apis: return "APIs"
        case .logs: return "Logs"
        case .charts: return "Charts"
        case .alarms: return "Alarms"
        case .throttles: return "Throttles"
        case .keys: return "Keys"
        case .deployments: return "Deploys"
        case .audit: return "Audit"
        case .domains: return "Domains"
        }
    }

    /// The `:command` that opens it.
    public var command: String {
        switch self {
        case .overview: return "overview"
        case .apis: return "apis"
        case .logs: return "logs"
        case .charts: return "charts"
        case .alarms: return "alarms"
        case .throttles: return "throttles"
        case .keys: return "keys"
        case .deployments: return "deployments"
        case .audit: return "audit"
        case .domains: return "domains"
        }
    }
}
