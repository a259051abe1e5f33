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

    public var version: Int64
    public var account: Account
    public var stages: [StageBinding]

    public init(version: Int64, account: Account, stages: [StageBinding]) {
        self.version = version
        self.account = account
        self.stages = stages
    }
}
