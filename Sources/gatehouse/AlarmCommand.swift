import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

extension AlarmMetric: ExpressibleByArgument {}
extension AlarmStatistic: ExpressibleByArgument {}
extension MissingDataTreatment: ExpressibleByArgument {}
extension ComparisonOperator: ExpressibleByArgument {
    public init?(argument: String) {
        if let value = ComparisonOperator(rawValue: argument) {
            self = value
        } else if let value = ComparisonOperator.allCases.first(where: { $0.symbol == argument }) {
            self = value
        } else {
            return nil
        }
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) + allCases.map(\.symbol) }
}

/// `gatehouse alarm …`: alarm rules, their state, acknowledgement and history.
struct Alarm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Alarms over the gateway's metrics (CloudWatch semantics, evaluated by the worker).",
        subcommands: [Put.self, List.self, Show.self, Ack.self, Delete.self, History.self])

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace an alarm.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The alarm's name (its id).") var name: String
        @Option(help: "A description.") var description: String?
        @Option(help: "Count, 4XXError, 5XXError, Latency, IntegrationLatency, Throttled, CacheHitCount or CacheMissCount.") var metric: AlarmMetric
        @Option(help: "The API id (dimension).") var api: String
        @Option(help: "Only this stage.") var stage: String?
        @Option(help: "Only this resource path (with --method).") var resource: String?
        @Option(help: "Only this HTTP method (with --resource).") var method: String?
        @Option(help: "Sum, Average, Minimum, Maximum, SampleCount, p50, p90, p95 or p99.") var statistic: AlarmStatistic
        @Option(help: "Seconds per datapoint: 10 or a multiple of 60.") var period: Int
        @Option(help: "How many periods are evaluated (N).") var evaluationPeriods: Int = 1
        @Option(help: "How many of them must breach (M, default N).") var datapointsToAlarm: Int?
        @Option(help: "GreaterThanOrEqualToThreshold (>=), GreaterThanThreshold (>), LessThanThreshold (<), LessThanOrEqualToThreshold (<=).")
        var comparison: ComparisonOperator
        @Option(help: "The threshold (ms for latency; a count, or a 0–1 rate with Average).") var threshold: Double
        @Option(help: "missing, notBreaching, breaching or ignore.") var treatMissingData: MissingDataTreatment = .missing
        @Option(help: "POST a JSON document here on every transition (repeatable).") var webhook: [String] = []
        @Option(help: "Run this shell command on every transition, JSON on stdin (repeatable).") var command: [String] = []
        @Option(help: "While in ALARM and unacknowledged, notify again every N minutes (default: off).") var repeatMinutes: Int?

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readWrite)
                try validateDimensions(store)
                let rule = AlarmRule(
                    name: name, description: description, metric: metric,
                    dimensions: AlarmDimensions(apiId: api, stage: stage, resourcePath: resource, httpMethod: method?.uppercased()),
                    statistic: statistic, period: period, evaluationPeriods: evaluationPeriods, datapointsToAlarm: datapointsToAlarm,
                    comparison: comparison, threshold: threshold, treatMissingData: treatMissingData,
                    actions: webhook.map { .webhook(url: $0) } + command.map { .command($0) }, repeatMinutes: repeatMinutes)
                let problems = rule.problems()
                guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
                try store.putAlarm(rule, actor: .current(source: "cli"))
                print("alarm \(name): \(rule.summary)")
            }
        }

        /// The dimensions name what exists, as `--api` does everywhere: the API, its stage, and a method the
        /// stage serves (spelled `--resource /pets --method GET`).
        func validateDimensions(_ store: Store) throws {
            if let stage {
                _ = try store.existingStage(apiId: api, stageName: stage)
                if resource != nil || method != nil {
                    guard let resource, let method else { throw ValidationError("--resource and --method go together") }
                    try store.requireServedMethod(apiId: api, stageName: stage,
                                                  methodKey: Stage.methodSettingsKey(resourcePath: resource, httpMethod: method))
                }
            } else {
                try store.requireApi(api)
                if resource != nil || method != nil { throw ValidationError("--resource and --method need --stage") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List alarms with state, since when and acknowledgement.")
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readOnly)
                print(pad("NAME", 24) + pad("STATE", 18) + pad("SINCE (UTC)", 21) + pad("ACK", 14) + "RULE")
                for alarm in try store.alarms() {
                    print(pad(alarm.rule.name, 24) + pad(alarm.state.rawValue, 18) + pad(utc(alarm.stateUpdated), 21)
                          + pad(alarm.acknowledgedBy ?? "-", 14) + "\(alarm.rule.dimensions.description) \(alarm.rule.summary)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one alarm: rule, state, reason, acknowledgement, notifications.")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The alarm's name.") var name: String

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readOnly)
                guard let alarm = try store.alarm(name: name) else {
                    throw StoreError.notFound(what: "alarm '\(name)'", hint: "list alarms with `gatehouse alarm list`")
                }
                let r = alarm.rule
                print("name:          \(r.name)")
                if let description = r.description { print("description:   \(description)") }
                print("rule:          \(r.summary)")
                print("dimensions:    \(r.dimensions.description)")
                print("missing data:  \(r.treatMissingData.rawValue)")
                print("state:         \(alarm.state.rawValue) since \(utc(alarm.stateUpdated))")
                print("reason:        \(alarm.reason)")
                print("acknowledged:  " + (alarm.acknowledgedBy.map { "by \($0) at \(utc(alarm.acknowledgedAt ?? Date()))" + (alarm.acknowledgeNote.map { ": \($0)" } ?? "") } ?? "no"))
                print("actions:       " + (r.actions.isEmpty ? "none" : r.actions.map(\.description).joined(separator: "; ")))
                print("repeat:        " + (r.repeatMinutes.map { "every \($0) min while in ALARM and unacknowledged" } ?? "off"))
                for delivery in try store.alarmDeliveries(name: name).suffix(10) {
                    print("notification:  #\(delivery.id) \(delivery.action) \(delivery.status) after \(delivery.attempts) attempt(s)"
                          + (delivery.lastError.map { ", last error: \($0)" } ?? ""))
                }
            }
        }
    }

    struct Ack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Acknowledge an alarm in ALARM (until its state changes).")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The alarm's name.") var name: String
        @Option(help: "What you are doing about it.") var note: String?
        @Option(help: "Who acknowledges (default: $USER).") var `operator`: String?

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readWrite)
                var actor = Actor.current(source: "cli")
                if let name = self.operator { actor.name = name }
                try store.acknowledgeAlarm(name: name, note: note, actor: actor)
                print("alarm \(name) acknowledged by \(actor.name)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an alarm (pending notifications are cancelled).")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The alarm's name.") var name: String

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readWrite)
                try store.deleteAlarm(name: name, actor: .current(source: "cli"))
                print("alarm \(name) deleted")
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An alarm's history (or every alarm's), newest first.")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The alarm's name (all alarms when omitted).") var name: String?
        @Option(help: "How many entries.") var limit = 50

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readOnly)
                print(pad("TIME (UTC)", 21) + pad("ALARM", 24) + pad("KIND", 20) + pad("CHANGE", 30) + "REASON")
                for entry in try store.alarmHistory(name: name, limit: limit) {
                    let change = entry.oldState.map { "\($0.rawValue) -> \(entry.newState?.rawValue ?? "?")" } ?? "-"
                    print(pad(utc(entry.time), 21) + pad(entry.alarm, 24) + pad(entry.kind, 20) + pad(change, 30) + entry.reason)
                }
            }
        }
    }
}

func utc(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
}
