import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse plan …`: usage plans (AWS's `UsagePlan`): the stages their keys may call, per-key and per-method
/// throttles, and quotas. A running worker applies every change within a second.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Usage plans: which stages keys may call, with per-key throttles, per-method throttles and quotas.",
        discussion: "A method that requires an API key admits a key only through a plan that covers its stage; a key is on at most one plan per API stage.",
        subcommands: [Create.self, List.self, Show.self, Update.self, Throttle.self, AddKey.self, RemoveKey.self, Delete.self])

    /// `--rate/--burst` and `--quota/--period/--offset`, shared by create and update.
    struct Limits: ParsableArguments {
        @Option(parsing: .unconditional, help: "Each key's steady rate, requests per second (with --burst).") var rate: Double?
        @Option(parsing: .unconditional, help: "Each key's burst: its bucket size (with --rate).") var burst: Int?
        @Option(help: "Requests each key may make per period (with --period).") var quota: Int?
        @Option(help: "The quota's period: DAY, WEEK (from Monday) or MONTH, starting 00:00 UTC.") var period: String?
        @Option(help: "Requests taken off the quota in its first period (AWS's offset).") var offset: Int?

        func validate() throws {
            if (rate == nil) != (burst == nil) { throw ValidationError("--rate and --burst go together") }
            if let rate, !(rate > 0) || !rate.isFinite { throw ValidationError("--rate must be above 0, got \(rate)") }
            if let burst, burst < 1 { throw ValidationError("--burst must be at least 1, got \(burst)") }
            if (quota == nil) != (period == nil) { throw ValidationError("--quota and --period go together") }
            if let period, QuotaPeriod(rawValue: period.uppercased()) == nil { throw ValidationError("--period is DAY, WEEK or MONTH, got '\(period)'") }
            if let quota, quota < 1 { throw ValidationError("--quota must be at least 1, got \(quota)") }
            if offset != nil && quota == nil { throw ValidationError("--offset needs --quota and --period") }
        }

        var throttle: ThrottleLimit? { rate.flatMap { rate in burst.map { ThrottleLimit(rate: rate, burst: $0) } } }
        var quotaSettings: QuotaSettings? {
            quota.flatMap { limit in period.flatMap { QuotaPeriod(rawValue: $0.uppercased()) }.map { QuotaSettings(limit: limit, period: $0, offset: offset ?? 0) } }
        }
    }

    static func stages(_ list: [String]) throws -> [UsagePlanStage] {
        try list.flatMap { $0.split(separator: ",") }.map { item in
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("a stage is API/STAGE (e.g. a1b2c3d4e5/prod), got '\(item)'")
            }
            return UsagePlanStage(apiId: String(parts[0]), stage: String(parts[1]))
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a plan; prints its id.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "A name for the plan.") var name: String
        @Option(help: "A description.") var description = ""
        @OptionGroup var limits: Limits
        @Option(help: "The API stages the plan covers: API/STAGE[,API/STAGE…] (repeatable).") var stage: [String] = []

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readWrite)
                let plan = try store.createUsagePlan(name: name, description: description, throttle: limits.throttle, quota: limits.quotaSettings,
                                                     stages: try PlanCommand.stages(stage), actor: Actor.current(source: "cli"))
                print(plan.id)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the plans.")

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readOnly)
                print(pad("ID", 12) + pad("NAME", 20) + pad("THROTTLE", 22) + pad("QUOTA", 22) + pad("KEYS", 6) + "STAGES")
                for plan in try store.usagePlans() {
                    let keys = try store.planKeys(planId: plan.id).count
                    print(pad(plan.id, 12) + pad(plan.name, 20) + pad(plan.throttle?.description ?? "-", 22) + pad(plan.quota?.description ?? "-", 22)
                          + pad(String(keys), 6) + (plan.apiStages.isEmpty ? "-" : plan.apiStages.map(\.label).joined(separator: ",")))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a plan: its limits, stages with per-method throttles, and keys.")

        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The plan's id.") var id: String

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readOnly)
                let plan = try store.usagePlan(id: id)
                print("id:          \(plan.id)")
                print("name:        \(plan.name)")
                if !plan.description.isEmpty { print("description: \(plan.description)") }
                print("throttle:    \(plan.throttle?.description ?? "none") (per key)")
                print("quota:       \(plan.quota?.description ?? "none")\(plan.quota == nil ? "" : " per key")")
                print("stages:")
                if plan.apiStages.isEmpty { print("  (none: the plan's keys can call nothing yet)") }
                for stage in plan.apiStages {
                    print("  \(stage.label)")
                    for key in stage.throttle.keys.sorted() {
                        print("    \(Stage.methodLabel(settingsKey: key)): \(stage.throttle[key]?.description ?? "")")
                    }
                }
                let keys = try store.planKeys(planId: plan.id)
                print("keys:")
                if keys.isEmpty { print("  (none)") }
                for key in keys { print("  \(key.id)  \(key.name)\(key.enabled ? "" : " (disabled)")") }
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a plan's name, limits or stages.")

        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The plan's id.") var id: String
        @Option(help: "A new name.") var name: String?
        @Option(help: "A new description.") var description: String?
        @OptionGroup var limits: Limits
        @Flag(help: "Remove the per-key throttle.") var clearThrottle = false
        @Flag(help: "Remove the quota.") var clearQuota = false
        @Option(help: "Add API stages: API/STAGE[,…] (repeatable).") var addStage: [String] = []
        @Option(help: "Remove API stages: API/STAGE[,…] (repeatable).") var removeStage: [String] = []

        func validate() throws {
            if clearThrottle && limits.rate != nil { throw ValidationError("--clear-throttle takes no --rate/--burst") }
            if clearQuota && limits.quota != nil { throw ValidationError("--clear-quota takes no --quota/--period") }
        }

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readWrite)
                var change = Store.PlanUpdate(name: name, description: description, addStages: try PlanCommand.stages(addStage),
                                              removeStages: try PlanCommand.stages(removeStage))
                if clearThrottle { change.throttle = .some(nil) } else if let throttle = limits.throttle { change.throttle = .some(throttle) }
                if clearQuota { change.quota = .some(nil) } else if let quota = limits.quotaSettings { change.quota = .some(quota) }
                let plan = try store.updateUsagePlan(id: id, change, actor: Actor.current(source: "cli"))
                print("\(plan.id): throttle \(plan.throttle?.description ?? "none"), quota \(plan.quota?.description ?? "none"), stages "
                      + (plan.apiStages.isEmpty ? "none" : plan.apiStages.map(\.label).joined(separator: ",")))
            }
        }
    }

    struct Throttle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set (or --clear) a plan's per-key throttle for one method of one of its stages.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The plan's id.") var plan: String
        @Option(help: "API/STAGE, one of the plan's stages.") var stage: String
        @Option(help: "The method, as 'VERB /resource/path' (e.g. 'GET /pets').") var method: String
        @Option(parsing: .unconditional, help: "Steady rate, requests per second.") var rate: Double?
        @Option(parsing: .unconditional, help: "Burst: the bucket size.") var burst: Int?
        @Flag(help: "Remove the method's plan throttle instead.") var clear = false

        func validate() throws {
            if !clear && (rate == nil || burst == nil) { throw ValidationError("--rate and --burst are required (or --clear)") }
        }

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readWrite)
                guard let target = try PlanCommand.stages([stage]).first else { return }
                let key = try methodKey(method)
                let limit = clear ? nil : rate.flatMap { r in burst.map { ThrottleLimit(rate: r, burst: $0) } }
                try store.setPlanMethodThrottle(planId: plan, apiId: target.apiId, stageName: target.stage, methodKey: key, limit: limit,
                                                actor: Actor.current(source: "cli"))
                print("\(plan) \(target.label) \(Stage.methodLabel(settingsKey: key)): \(limit?.description ?? "cleared") per key")
            }
        }
    }

    struct AddKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-key", abstract: "Put a key on a plan.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The plan's id.") var plan: String
        @Option(help: "The key's id.") var key: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).addKeyToPlan(planId: plan, keyId: key, actor: Actor.current(source: "cli"))
                print("key \(key) is on plan \(plan)")
            }
        }
    }

    struct RemoveKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-key", abstract: "Take a key off a plan.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The plan's id.") var plan: String
        @Option(help: "The key's id.") var key: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).removeKeyFromPlan(planId: plan, keyId: key, actor: Actor.current(source: "cli"))
                print("key \(key) is off plan \(plan)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a plan (its keys stay; their usage history stays).")

        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The plan's id.") var id: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).deleteUsagePlan(id: id, actor: Actor.current(source: "cli"))
                print("deleted plan \(id)")
            }
        }
    }
}
