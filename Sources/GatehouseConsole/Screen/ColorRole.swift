/// What a piece of the screen means, not what colour it is; a theme maps roles to colours.
public enum ColorRole: String, Sendable, CaseIterable, Hashable {
    case normal, title, border, header, selected, muted, accent, ok, warn, error, status
    case tabActive = "tab.active"
    case tab
    case filterValid = "filter.valid"
    case filterInvalid = "filter.invalid"
    case chartP50 = "chart.p50"
    case chartP90 = "chart.p90"
    case chartP99 = "chart.p99"
    case chartIntegration = "chart.integration"
    case barCount = "bar.count"
    case bar4xx = "bar.4xx"
    case bar5xx = "bar.5xx"

    /// One letter per role, for snapshot files.
    public var letter: Character {
        switch self {
        case .normal: return "."
        case .title: return "T"
        case .border: return "b"
        case .header: return "H"
        case .selected: return "S"
        case .muted: return "m"
        case .accent: return "a"
        case .ok: return "o"
        case .warn: return "w"
        case .error: return "e"
        case .status: return "s"
        case .tabActive: return "A"
        case .tab: return "t"
        case .filterValid: return "f"
        case .filterInvalid: return "F"
        case .chartP50: return "5"
        case .chartP90: return "9"
        case .chartP99: return "P"
        case .chartIntegration: return "i"
        case .barCount: return "c"
        case .bar4xx: return "4"
        case .bar5xx: return "x"
        }
    }
}
