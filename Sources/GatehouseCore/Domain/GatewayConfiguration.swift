import Foundation

/// Everything a worker serves, read from the store in one transaction: each stage with the deployment
/// it points at, and the account limit. Immutable; the worker swaps in a new one when the store changes.
public struct GatewayConfiguration: Sendable {
    /// One callable stage and the frozen API it serves.
    public struct StageBinding: Sendable {
        public var stage: Stage
        public var definition: ApiDefinition

        public init(stage: Stage, definition: ApiDefinition) {
            self.stage = stage
            self.definition = definition
        }
    }

    /// An API key as the worker needs it: the SHA-256 of its value, never the value.
    public struct ServedKey: Sendable, Equatable {
        public var id: String
        public var valueHash: Data
        public var enabled: Bool

        public init(id: String, valueHash: Data, enabled: Bool) {
            self.id = id
            self.valueHash = valueHash
            self.enabled = enabled
        }
    }

    public var version: Int64
    public var account: Account
    public var stages: [StageBinding]
    public var apiKeys: [ServedKey]
    public var usagePlans: [UsagePlan]
    /// Plan id → the ids of the keys on it.
    public var planKeys: [String: [String]]

    public init(version: Int64, account: Account, stages: [StageBinding], apiKeys: [ServedKey] = [], usagePlans: [UsagePlan] = [],
                planKeys: [String: [String]] = [:]) {
        self.version = version
        self.account = account
        self.stages = stages
        self.apiKeys = apiKeys
        self.usagePlans = usagePlans
        self.planKeys = planKeys
    }
}
