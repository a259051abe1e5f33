import GatehouseCore

/// An immutable routing snapshot built from one `GatewayConfiguration`: API → stage → router.
/// Requests keep the snapshot they started with while a newer one is swapped in.
public struct RoutingTable: Sendable {
    /// A stage ready to route.
    public struct StageRoute: Sendable {
        public var binding: GatewayConfiguration.StageBinding
        public var router: Router
    }

    public let configuration: GatewayConfiguration
    let stages: [String: [String: StageRoute]]

    public init(configuration: GatewayConfiguration) {
        self.configuration = configuration
        var stages: [String: [String: StageRoute]] = [:]
        for binding in configuration.stages {
            stages[binding.stage.restApiId, default: [:]][binding.stage.stageName] =
                StageRoute(binding: binding, router: Router(resources: binding.definition.resources))
        }
        self.stages = stages
    }

    public static let empty = RoutingTable(configuration: GatewayConfiguration(version: 0, account: Account(), stages: []))

    public func stage(apiId: String, stageName: String) -> StageRoute? {
        stages[apiId]?[stageName]
    }

    /// Where an invoke URL points: the API id, stage name and the path inside the stage.
    public struct Target: Sendable, Equatable {
        public var apiId: String
        public var stageName: String
        public var path: String
    }

    /// Reads the two invoke URL forms: `/restapis/{api}/{stage}/_user_request_/{path}`, and
    /// `{api}.execute-api.<anything>` in Host with `/{stage}/{path}`.
    public static func target(host: String?, path: String) -> Target? {
        if let host, let dot = host.firstIndex(of: "."), host[dot...].hasPrefix(".execute-api.") {
            let apiId = String(host[..<dot])
            let parts = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
            guard let stage = parts.first else { return nil }
            return Target(apiId: apiId, stageName: String(stage), path: "/" + (parts.count > 1 ? String(parts[1]) : ""))
        }
        let parts = path.split(separator: "/", maxSplits: 4, omittingEmptySubsequences: false)
        // ["", "restapis", api, stage, "_user_request_/..."]
        guard parts.count >= 5, parts[0].isEmpty, parts[1] == "restapis" else { return nil }
        let tail = parts[4]
        guard tail == "_user_request_" || tail.hasPrefix("_user_request_/") else { return nil }
        let rest = tail.dropFirst("_user_request_".count)
        return Target(apiId: String(parts[2]), stageName: String(parts[3]), path: rest.isEmpty ? "/" : String(rest))
    }
}
