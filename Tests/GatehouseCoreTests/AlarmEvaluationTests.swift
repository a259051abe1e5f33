import GatehouseCore
import Testing

@Suite struct AlarmEvaluationTests {
    func rule(_ treat: MissingDataTreatment = .missing, m: Int = 2, n: Int = 3, metric: AlarmMetric = .error5xx,
              statistic: AlarmStatistic = .sum) -> AlarmRule {
        AlarmRule(name: "a", metric: metric, dimensions: AlarmDimensions(apiId: "x"), statistic: statistic, period: 60,
                  evaluationPeriods: n, datapointsToAlarm: m, comparison: .greaterThanOrEqualToThreshold, threshold: 5,
                  treatMissingData: treat)
    }

    func points(_ values: [Double?]) -> [AlarmDatapoint] {
        values.enumerated().map { AlarmDatapoint(periodStart: Int64($0.offset * 60), value: $0.element) }
    }

    @Test func mOfN() {
        #expect(AlarmEvaluation.evaluate(rule(), datapoints: points([6, 1, 7])).state == .alarm)
        #expect(AlarmEvaluation.evaluate(rule(), datapoints: points([6, 1, 2])).state == .ok)
        #expect(AlarmEvaluation.evaluate(rule(), datapoints: points([9, 9, 1, 1, 1])).state == .ok, "only the last N count")
        let outcome = AlarmEvaluation.evaluate(rule(), datapoints: points([6, 1, 7]))
        #expect(outcome.reason.hasPrefix("Threshold Crossed: 2 out of the last 3 datapoints"))
        #expect(outcome.reason.contains("greater than or equal to the threshold (5)"))
    }

    @Test func missingDataTreatments() {
        let gap = points([nil, 7, nil])
        #expect(AlarmEvaluation.evaluate(rule(.missing), datapoints: gap).state == .ok)
        #expect(AlarmEvaluation.evaluate(rule(.missing), datapoints: points([nil, nil, nil])).state == .insufficientData)
        #expect(AlarmEvaluation.evaluate(rule(.breaching), datapoints: gap).state == .alarm)
        #expect(AlarmEvaluation.evaluate(rule(.notBreaching), datapoints: gap).state == .ok)
        #expect(AlarmEvaluation.evaluate(rule(.notBreaching), datapoints: points([nil, nil, nil])).state == .ok)
        #expect(AlarmEvaluation.evaluate(rule(.ignore), datapoints: points([nil, nil, nil])).state == nil, "ignore keeps the state")
        #expect(AlarmEvaluation.evaluate(rule(.ignore), datapoints: points([nil, 8, 9])).state == .alarm)
    }

    @Test func datapointsFromRollups() {
        var rollup = MetricRollup()
        for (status, ms) in [(200, 10.0), (500, 20.0), (503, 400.0), (404, 30.0)] {
            rollup.add(AccessLogRecord(requestId: "r", time: .init(timeIntervalSince1970: 0), apiId: "x", stage: "s", resourcePath: "/",
                                       httpMethod: "GET", path: "/", status: status, latencyMs: ms, integrationLatencyMs: ms / 2))
        }
        #expect(AlarmEvaluation.datapoint(rule(statistic: .sum), rollup: rollup) == 2)
        #expect(AlarmEvaluation.datapoint(rule(statistic: .average), rollup: rollup) == 0.5)
        #expect(AlarmEvaluation.datapoint(rule(statistic: .sampleCount), rollup: rollup) == 4)
        #expect(AlarmEvaluation.datapoint(rule(metric: .count, statistic: .sum), rollup: rollup) == 4)
        #expect(AlarmEvaluation.datapoint(rule(metric: .error4xx, statistic: .maximum), rollup: rollup) == 1)
        let p99 = AlarmEvaluation.datapoint(rule(metric: .latency, statistic: .p99), rollup: rollup) ?? 0
        #expect(abs(p99 - 400) / 400 < 0.05)
        let maximum = AlarmEvaluation.datapoint(rule(metric: .integrationLatency, statistic: .maximum), rollup: rollup) ?? 0
        #expect(abs(maximum - 200) / 200 < 0.05)
        #expect(AlarmEvaluation.datapoint(rule(), rollup: MetricRollup()) == nil, "no requests: no datapoint")
    }

    @Test func problemsNameTheFlag() {
        var bad = rule(m: 4, n: 3, statistic: .p99)
        bad.period = 45
        bad.actions = [.webhook(url: "ftp://x")]
        let problems = bad.problems().joined(separator: "\n")
        #expect(problems.contains("--period must be 10 or a multiple of 60 seconds, got 45"))
        #expect(problems.contains("--datapoints-to-alarm"))
        #expect(problems.contains("--statistic p99 needs a latency metric"))
        #expect(problems.contains("--webhook must be an http:// or https:// URL"))
        #expect(rule().problems().isEmpty)
    }

    @Test func periodsAreAlignedAndComplete() {
        #expect(AlarmEvaluation.periodStarts(period: 10, count: 3, now: 1_000_005) == [999_970, 999_980, 999_990])
        #expect(AlarmEvaluation.periodStarts(period: 60, count: 1, now: 1_000_061) == [999_960])
    }
}
