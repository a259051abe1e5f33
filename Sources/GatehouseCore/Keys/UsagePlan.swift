import Foundation

/// A usage plan as Amazon API Gateway models it (`UsagePlan`): which API stages its keys may call, a per-key
/// throttle, per-method throttles per stage, and a quota of requests per period. The worker meters every key
/// it admits against its plan.
public struct UsagePlan: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String
    /// Each key's own bucket across the plan's stages (AWS: `throttle`).
    public var throttle: ThrottleLimit?
    public var quota: QuotaSettings?
    public var apiStages: [UsagePlanStage]
    /// When the quota was last set: the period holding it is the "initial" one that `offset` shortens.
    public var quotaSince: Date?
    public var created: Date
    public var lastUpdated: Date

    public init(id: String, name: String, description: String = "", throttle: ThrottleLimit? = nil, quota: QuotaSettings? = nil,
                apiStages: [UsagePlanStage] = [], quotaSince: Date? = nil, created: Date, lastUpdated: Date) {
        self.id = id
        self.name = name
        self.description = description
        self.throttle = throttle
        self.quota = quota
        self.apiStages = apiStages
        self.quotaSince = quotaSince
        self.created = created
        self.lastUpdated = lastUpdated
    }

    /// The plan's entry for one API stage, if it covers it.
    public func stage(apiId: String, stageName: String) -> UsagePlanStage? {
        apiStages.first { $0.apiId == apiId && $0.stage == stageName }
    }

    /// Where the quota's period holding `date` starts counting: the period's start, or when the quota was set if
    /// that is later (the first period counts from then). Nil without a quota.
    public func quotaPeriodStart(at date: Date) -> Date? {
        guard let quota else { return nil }
        let start = quota.period.start(containing: date)
        if let since = quotaSince, since > start { return since }
        return start
    }

    /// The requests the quota allows in the period holding `date` (the initial period less `offset`).
    public func quotaLimit(at date: Date) -> Int? {
        guard let quota else { return nil }
        if let since = quotaSince, quota.period.start(containing: since) == quota.period.start(containing: date) {
            return max(0, quota.limit - quota.offset)
        }
        return quota.limit
    }
}

/// One API stage of a plan (AWS: `ApiStage`), with per-method throttles keyed as stage method settings are
/// (`/pets/GET`).
public struct UsagePlanStage: Codable, Sendable, Equatable, Hashable {
    public var apiId: String
    public var stage: String
    public var throttle: [String: ThrottleLimit]

    public init(apiId: String, stage: String, throttle: [String: ThrottleLimit] = [:]) {
        self.apiId = apiId
        self.stage = stage
        self.throttle = throttle
    }

    /// `API/STAGE`, as the CLI takes and prints it.
    public var label: String { "\(apiId)/\(stage)" }
}

/// A plan's quota (AWS: `QuotaSettings`): at most `limit` requests per key each period, `offset` fewer in the
/// period the quota was set in.
public struct QuotaSettings: Codable, Sendable, Equatable {
    public var limit: Int
    public var period: QuotaPeriod
    public var offset: Int

    public init(limit: Int, period: QuotaPeriod, offset: Int = 0) {
        self.limit = limit
        self.period = period
        self.offset = offset
    }

    public var description: String {
        "\(limit)/\(period.rawValue.lowercased())" + (offset > 0 ? " (first period \(max(0, limit - offset)))" : "")
    }
}

/// The period a quota counts over. Periods start at 00:00 UTC: every day, every Monday (ISO weeks), the first
/// of every month.
public enum QuotaPeriod: String, Codable, Sendable, CaseIterable {
    case day = "DAY"
    case week = "WEEK"
    case month = "MONTH"

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
        return calendar
    }()

    /// The start of the period that holds `date`.
    public func start(containing date: Date) -> Date {
        let calendar = Self.utc
        let day = calendar.startOfDay(for: date)
        switch self {
        case .day:
            return day
        case .week:
            let weekday = calendar.component(.weekday, from: day)  // 1 = Sunday … 7 = Saturday
            return calendar.date(byAdding: .day, value: -((weekday + 5) % 7), to: day) ?? day
        case .month:
            return calendar.date(from: calendar.dateComponents([.year, .month], from: day)) ?? day
        }
    }

    /// The start of the next period after the one holding `date`.
    public func end(containing date: Date) -> Date {
        let start = start(containing: date)
        let calendar = Self.utc
        switch self {
        case .day: return calendar.date(byAdding: .day, value: 1, to: start) ?? start.addingTimeInterval(86_400)
        case .week: return calendar.date(byAdding: .day, value: 7, to: start) ?? start.addingTimeInterval(7 * 86_400)
        case .month: return calendar.date(byAdding: .month, value: 1, to: start) ?? start.addingTimeInterval(31 * 86_400)
        }
    }
}

/// Days as the usage records name them: `YYYY-MM-DD` in UTC.
public enum UsageDay {
    /// The UTC day of `date`.
    public static func string(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        // Civil-from-days (Howard Hinnant's algorithm): no formatter on the data path.
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }

    /// 00:00 UTC of a `YYYY-MM-DD` day, or nil when it is not one.
    public static func date(_ text: String) -> Date? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.timeZone = TimeZone(secondsFromGMT: 0)
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? .current
        guard let date = calendar.date(from: components), string(date) == text else { return nil }
        return date
    }
}
