import Foundation

/// One period's value of an alarm's metric, or `nil` when the period had no requests.
public struct AlarmDatapoint: Sendable, Equatable {
    public var periodStart: Int64
    public var value: Double?

    public init(periodStart: Int64, value: Double?) {
        self.periodStart = periodStart
        self.value = value
    }
}

/// CloudWatch alarm evaluation as pure functions: datapoints from rollups, then M of N with the
/// missing-data treatment, giving a state and the reason text.
public enum AlarmEvaluation {
    /// The datapoint of one period from its merged rollup.
    public static func datapoint(_ rule: AlarmRule, rollup: MetricRollup) -> Double? {
        guard rollup.count > 0 else { return nil }
        let samples = Double(rollup.count)
        if rule.metric.isLatency {
            let histogram = rule.metric == .latency ? rollup.latency : rollup.integrationLatency
            guard histogram.total > 0 else { return nil }
            switch rule.statistic {
            case .sampleCount: return Double(histogram.total)
            case .average: return histogram.mean
            case .sum: return histogram.mean.map { $0 * Double(histogram.total) }
            case .minimum: return histogram.counts.keys.min().map(LatencyHistogram.representative(ofBucket:))
            case .maximum: return histogram.counts.keys.max().map(LatencyHistogram.representative(ofBucket:))
            case .p50, .p90, .p95, .p99: return histogram.quantile(rule.statistic.quantile ?? 0.5)
            }
        }
        let ones: Int
        switch rule.metric {
        case .count: ones = rollup.count
        case .error4xx: ones = rollup.count4xx
        case .error5xx: ones = rollup.count5xx
        case .throttled: ones = rollup.throttled
        case .cacheHitCount: ones = rollup.cacheHit
        case .cacheMissCount: ones = rollup.cacheMiss
        case .latency, .integrationLatency: ones = 0
        }
        switch rule.statistic {
        case .sum: return Double(ones)
        case .sampleCount: return samples
        case .average: return Double(ones) / samples
        case .minimum: return ones == rollup.count ? 1 : 0
        case .maximum: return ones > 0 ? 1 : 0
        case .p50, .p90, .p95, .p99: return nil
        }
    }

    /// The outcome of one evaluation: the state to be in and why. `nil` state means "stay as you are".
    public struct Outcome: Sendable, Equatable {
        public var state: AlarmState?
        public var reason: String

        public init(state: AlarmState?, reason: String) {
            self.state = state
            self.reason = reason
        }
    }

    /// Evaluates the last `evaluationPeriods` datapoints (oldest first).
    public static func evaluate(_ rule: AlarmRule, datapoints: [AlarmDatapoint]) -> Outcome {
        let window = Array(datapoints.suffix(rule.evaluationPeriods))
        let present = window.filter { $0.value != nil }
        let breachingPresent = present.filter { rule.comparison.breaches($0.value ?? 0, rule.threshold) }
        let missing = window.count - present.count
        let listed = present.suffix(rule.datapointsToAlarm).map { "\(format($0.value ?? 0)) (\(time($0.periodStart)))" }
            .joined(separator: ", ")
        var breaching = breachingPresent.count
        var evaluated = present.count
        switch rule.treatMissingData {
        case .breaching:
            breaching += missing
            evaluated += missing
        case .notBreaching:
            evaluated += missing
        case .ignore:
            if present.isEmpty {
                return Outcome(state: nil, reason: "no datapoints in the last \(rule.evaluationPeriods) periods; missing data is ignored, so the state is kept")
            }
        case .missing:
            if present.isEmpty {
                return Outcome(state: .insufficientData,
                               reason: "Insufficient Data: no datapoints in the last \(rule.evaluationPeriods) periods of \(rule.period)s")
            }
        }
        let threshold = format(rule.threshold)
        if breaching >= rule.datapointsToAlarm {
            return Outcome(state: .alarm, reason: "Threshold Crossed: \(breaching) out of the last \(evaluated) datapoints [\(listed)] "
                           + "were \(rule.comparison.phrase) the threshold (\(threshold)) (minimum \(rule.datapointsToAlarm) datapoints for OK -> ALARM transition).")
        }
        return Outcome(state: .ok, reason: "Threshold Crossed: \(breaching) out of the last \(evaluated) datapoints [\(listed)] "
                       + "were \(rule.comparison.phrase) the threshold (\(threshold)) (minimum \(rule.datapointsToAlarm) datapoints for ALARM transition).")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.3f", value)
    }

    static let reasonTime: DateFormatter = {
        let formatter = DateFormatter()
        formatter.dateFormat = "dd/MM/yy HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()

    static func time(_ seconds: Int64) -> String {
        reasonTime.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// Start of each of the last `count` whole periods that ended at or before `now - lag`, oldest first.
    public static func periodStarts(period: Int, count: Int, now: Int64, lag: Int64 = 2) -> [Int64] {
        let p = Int64(period)
        let lastEnd = (now - lag) / p * p
        return (1...max(1, count)).reversed().map { lastEnd - Int64($0) * p }
    }
}
