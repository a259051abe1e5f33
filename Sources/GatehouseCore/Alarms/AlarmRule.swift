/// A metric an alarm watches, named as API Gateway's CloudWatch metrics are.
public enum AlarmMetric: String, Codable, Sendable, CaseIterable {
    case count = "Count"
    case error4xx = "4XXError"
    case error5xx = "5XXError"
    case latency = "Latency"
    case integrationLatency = "IntegrationLatency"
    case throttled = "Throttled"
    case cacheHitCount = "CacheHitCount"
    case cacheMissCount = "CacheMissCount"

    /// Latency metrics have a value per request; the others count requests (each one is 0 or 1).
    public var isLatency: Bool { self == .latency || self == .integrationLatency }
}

/// How a period's samples become one datapoint.
public enum AlarmStatistic: String, Codable, Sendable, CaseIterable {
    case sum = "Sum"
    case average = "Average"
    case minimum = "Minimum"
    case maximum = "Maximum"
    case sampleCount = "SampleCount"
    case p50, p90, p95, p99

    public var quantile: Double? {
        switch self {
        case .p50: return 0.5
        case .p90: return 0.9
        case .p95: return 0.95
        case .p99: return 0.99
        default: return nil
        }
    }
}

/// How a datapoint is compared with the threshold.
public enum ComparisonOperator: String, Codable, Sendable, CaseIterable {
    case greaterThanOrEqualToThreshold = "GreaterThanOrEqualToThreshold"
    case greaterThanThreshold = "GreaterThanThreshold"
    case lessThanThreshold = "LessThanThreshold"
    case lessThanOrEqualToThreshold = "LessThanOrEqualToThreshold"

    public func breaches(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .greaterThanOrEqualToThreshold: return value >= threshold
        case .greaterThanThreshold: return value > threshold
        case .lessThanThreshold: return value < threshold
        case .lessThanOrEqualToThreshold: return value <= threshold
        }
    }

    /// CloudWatch's words for it in a state reason.
    public var phrase: String {
        switch self {
        case .greaterThanOrEqualToThreshold: return "greater than or equal to"
        case .greaterThanThreshold: return "greater than"
        case .lessThanThreshold: return "less than"
        case .lessThanOrEqualToThreshold: return "less than or equal to"
        }
    }

    public var symbol: String {
        switch self {
        case .greaterThanOrEqualToThreshold: return ">="
        case .greaterThanThreshold: return ">"
        case .lessThanThreshold: return "<"
        case .lessThanOrEqualToThreshold: return "<="
        }
    }
}

/// What a period without requests counts as.
public enum MissingDataTreatment: String, Codable, Sendable, CaseIterable {
    case missing, notBreaching, breaching, ignore
}

/// The three alarm states of CloudWatch.
public enum AlarmState: String, Codable, Sendable, CaseIterable {
    case ok = "OK"
    case alarm = "ALARM"
    case insufficientData = "INSUFFICIENT_DATA"
}

/// Where a transition is announced: an HTTP POST of a JSON document, or a shell command.
public enum AlarmAction: Codable, Sendable, Equatable, CustomStringConvertible {
    case webhook(url: String)
    case command(String)

    public var description: String {
        switch self {
        case .webhook(let url): return "webhook \(url)"
        case .command(let command): return "command \(command)"
        }
    }
}

/// Which requests an alarm's metric counts: an API, and optionally one stage, resource and method.
public struct AlarmDimensions: Codable, Sendable, Equatable {
    public var apiId: String
    public var stage: String?
    public var resourcePath: String?
    public var httpMethod: String?

    public init(apiId: String, stage: String? = nil, resourcePath: String? = nil, httpMethod: String? = nil) {
        self.apiId = apiId
        self.stage = stage
        self.resourcePath = resourcePath
        self.httpMethod = httpMethod
    }

    public var description: String {
        var text = "ApiId=\(apiId)"
        if let stage { text += " Stage=\(stage)" }
        if let resourcePath { text += " Resource=\(resourcePath)" }
        if let httpMethod { text += " Method=\(httpMethod)" }
        return text
    }
}

/// An alarm rule with CloudWatch's semantics, evaluated by the worker over the store's rollups.
public struct AlarmRule: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var metric: AlarmMetric
    public var dimensions: AlarmDimensions
    public var statistic: AlarmStatistic
    /// Seconds: 10, or a multiple of 60.
    public var period: Int
    public var evaluationPeriods: Int
    public var datapointsToAlarm: Int
    public var comparison: ComparisonOperator
    public var threshold: Double
    public var treatMissingData: MissingDataTreatment
    public var actions: [AlarmAction]
    /// While in ALARM and not acknowledged, notify again every this many minutes; `nil` is off.
    public var repeatMinutes: Int?

    public init(name: String, description: String? = nil, metric: AlarmMetric, dimensions: AlarmDimensions, statistic: AlarmStatistic,
                period: Int, evaluationPeriods: Int, datapointsToAlarm: Int? = nil, comparison: ComparisonOperator, threshold: Double,
                treatMissingData: MissingDataTreatment = .missing, actions: [AlarmAction] = [], repeatMinutes: Int? = nil) {
        self.name = name
        self.description = description
        self.metric = metric
        self.dimensions = dimensions
        self.statistic = statistic
        self.period = period
        self.evaluationPeriods = evaluationPeriods
        self.datapointsToAlarm = datapointsToAlarm ?? evaluationPeriods
        self.comparison = comparison
        self.threshold = threshold
        self.treatMissingData = treatMissingData
        self.actions = actions
        self.repeatMinutes = repeatMinutes
    }

    /// Every problem with the rule, each naming the field (as its CLI flag) and what it accepts.
    public func problems() -> [String] {
        var problems: [String] = []
        if name.isEmpty || name.count > 255 || name.contains(where: { $0.isNewline }) {
            problems.append("--name must be 1 to 255 characters on one line")
        }
        if dimensions.apiId.isEmpty { problems.append("--api is required") }
        if !(period == 10 || (period >= 60 && period % 60 == 0)) {
            problems.append("--period must be 10 or a multiple of 60 seconds, got \(period)")
        }
        if evaluationPeriods < 1 || evaluationPeriods > 1440 { problems.append("--evaluation-periods must be from 1 to 1440, got \(evaluationPeriods)") }
        if datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods {
            problems.append("--datapoints-to-alarm must be from 1 to --evaluation-periods (\(evaluationPeriods)), got \(datapointsToAlarm)")
        }
        if !threshold.isFinite { problems.append("--threshold must be a number") }
        if statistic.quantile != nil && !metric.isLatency {
            problems.append("--statistic \(statistic.rawValue) needs a latency metric; \(metric.rawValue) counts requests (use Sum, Average or SampleCount)")
        }
        if (dimensions.resourcePath == nil) != (dimensions.httpMethod == nil) {
            problems.append("--resource and --method go together")
        }
        if let minutes = repeatMinutes, minutes < 1 { problems.append("--repeat-minutes must be 1 or more, got \(minutes)") }
        for action in actions {
            if case .webhook(let url) = action, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                problems.append("--webhook must be an http:// or https:// URL, got '\(url)'")
            }
        }
        return problems
    }

    /// `Latency p99 >= 500 for 3 of 3 × 60s`.
    public var summary: String {
        let threshold = self.threshold == self.threshold.rounded() ? String(Int(self.threshold)) : String(self.threshold)
        return "\(metric.rawValue) \(statistic.rawValue) \(comparison.symbol) \(threshold) for \(datapointsToAlarm) of \(evaluationPeriods) × \(period)s"
    }
}
