import GatehouseCore

/// The alarm editor: every rule field as text, checked with the same rules as the CLI's flags.
public struct AlarmForm: Sendable, Equatable {
    /// One field: its label, the flag it mirrors, and its text.
    public struct Field: Sendable, Equatable {
        public var label: String
        public var text: String
    }

    public var fields: [Field]
    public var focus = 0
    public var isNew: Bool
    public var problems: [String] = []

    static let labels = ["name", "api", "stage", "resource", "method", "metric", "statistic", "period", "evaluation periods",
                         "datapoints to alarm", "comparison", "threshold", "missing data", "webhook", "repeat minutes"]

    public init(rule: AlarmRule?, defaultApi: String?, defaultStage: String?) {
        isNew = rule == nil
        let r = rule
        let values: [String] = [
            r?.name ?? "", r?.dimensions.apiId ?? defaultApi ?? "", r?.dimensions.stage ?? defaultStage ?? "",
            r?.dimensions.resourcePath ?? "", r?.dimensions.httpMethod ?? "", r?.metric.rawValue ?? AlarmMetric.error5xx.rawValue,
            r?.statistic.rawValue ?? AlarmStatistic.sum.rawValue, String(r?.period ?? 60), String(r?.evaluationPeriods ?? 1),
            String(r?.datapointsToAlarm ?? 1), r?.comparison.symbol ?? ">=", r.map { AlarmForm.number($0.threshold) } ?? "1",
            r?.treatMissingData.rawValue ?? MissingDataTreatment.notBreaching.rawValue,
            r?.actions.compactMap { if case .webhook(let url) = $0 { return url } else { return nil } }.first ?? "",
            r?.repeatMinutes.map(String.init) ?? "",
        ]
        fields = zip(Self.labels, values).map { Field(label: $0, text: $1) }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    func text(_ label: String) -> String {
        fields.first { $0.label == label }?.text.trimmingCharacters(in: .whitespaces) ?? ""
    }

    /// The rule the fields describe, or the problems that stop it (each naming its field).
    public func rule(keeping original: AlarmRule?) -> Result<AlarmRule, AlarmFormError> {
        var problems: [String] = []
        func optional(_ label: String) -> String? { text(label).isEmpty ? nil : text(label) }
        let metric = AlarmMetric(rawValue: text("metric"))
        if metric == nil { problems.append("metric: one of \(AlarmMetric.allCases.map(\.rawValue).joined(separator: ", "))") }
        let statistic = AlarmStatistic(rawValue: text("statistic"))
        if statistic == nil { problems.append("statistic: one of \(AlarmStatistic.allCases.map(\.rawValue).joined(separator: ", "))") }
        let comparison = ComparisonOperator(rawValue: text("comparison")) ?? ComparisonOperator.allCases.first { $0.symbol == text("comparison") }
        if comparison == nil { problems.append("comparison: >=, >, < or <=") }
        let missing = MissingDataTreatment(rawValue: text("missing data"))
        if missing == nil { problems.append("missing data: missing, notBreaching, breaching or ignore") }
        let period = Int(text("period")), evaluation = Int(text("evaluation periods")), datapoints = Int(text("datapoints to alarm"))
        let threshold = Double(text("threshold"))
        if period == nil { problems.append("period: a whole number of seconds") }
        if evaluation == nil { problems.append("evaluation periods: a whole number") }
        if datapoints == nil { problems.append("datapoints to alarm: a whole number") }
        if threshold == nil { problems.append("threshold: a number") }
        let repeatMinutes = optional("repeat minutes").map { Int($0) }
        if let repeatMinutes, repeatMinutes == nil { problems.append("repeat minutes: a whole number, or empty for off") }
        guard problems.isEmpty, let metric, let statistic, let comparison, let missing, let period, let evaluation, let datapoints,
              let threshold else { return .failure(AlarmFormError(problems: problems)) }
        var actions = original?.actions.filter { if case .command = $0 { return true } else { return false } } ?? []
        if let webhook = optional("webhook") { actions.insert(.webhook(url: webhook), at: 0) }
        let rule = AlarmRule(name: text("name"), description: original?.description, metric: metric,
                             dimensions: AlarmDimensions(apiId: text("api"), stage: optional("stage"), resourcePath: optional("resource"),
                                                         httpMethod: optional("method")?.uppercased()),
                             statistic: statistic, period: period, evaluationPeriods: evaluation, datapointsToAlarm: datapoints,
                             comparison: comparison, threshold: threshold, treatMissingData: missing, actions: actions,
                             repeatMinutes: repeatMinutes ?? nil)
        let ruleProblems = rule.problems()
        return ruleProblems.isEmpty ? .success(rule) : .failure(AlarmFormError(problems: ruleProblems))
    }
}

/// Why the alarm form's fields do not make a rule.
public struct AlarmFormError: Error, Sendable, Equatable {
    public var problems: [String]
}

/// A one-line text prompt (the acknowledgement note).
public struct TextPrompt: Sendable, Equatable {
    /// What the typed text is for.
    public enum Purpose: Sendable, Equatable {
        case acknowledge(alarm: String)
        case planQuota(planId: String, planName: String)
    }

    public var title: String
    public var text: String = ""
    public var purpose: Purpose

    public init(title: String, text: String = "", purpose: Purpose) {
        self.title = title
        self.text = text
        self.purpose = purpose
    }
}
