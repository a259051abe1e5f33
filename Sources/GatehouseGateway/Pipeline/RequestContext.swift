import GatehouseCore
import NIOCore

/// What the pipeline learns about one request as it passes through, typed; the log stage turns it
/// into the access-log record.
public struct RequestContext: Sendable {
    public var requestId: String
    public var table: RoutingTable
    /// The API and stage the URL named, even when no method matched.
    public var target: RoutingTable.Target?
    public var stage: RoutingTable.StageRoute?
    public var match: Router.Match?
    /// The path inside the stage, e.g. `/pets/42`.
    public var stagePath: String?
    public var integrationStart: NIODeadline?
    public var integrationLatencyMs: Double?
    public var errorType: String?
    public var throttled = false
    /// What went to the backend and what came back, for execution logging.
    public var integrationURL: String?
    public var integrationStatus: Int?
    public var backendHeaders: [(String, String)] = []

    public init(requestId: String, table: RoutingTable) {
        self.requestId = requestId
        self.table = table
    }

    public var stageVariables: [String: String] { stage?.binding.stage.variables ?? [:] }
}
