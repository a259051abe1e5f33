/// Custom domains' base path mappings, ready to route: for a Host and a path, the API stage and the path inside
/// it. The longest base path whose segments begin the path wins; the empty base path takes the rest.
public struct DomainRoutes: Sendable {
    /// Where a call on a custom domain goes.
    public struct Route: Sendable, Equatable {
        public var restApiId: String
        public var stage: String
        /// The path inside the stage, `/` at least.
        public var path: String
        public var basePath: String

        public init(restApiId: String, stage: String, path: String, basePath: String) {
            self.restApiId = restApiId
            self.stage = stage
            self.path = path
            self.basePath = basePath
        }
    }

    /// Domain → its mappings, longest base path first.
    private let mappings: [String: [BasePathMapping]]

    public init(_ mappings: [BasePathMapping]) {
        self.mappings = Dictionary(grouping: mappings, by: \.domainName).mapValues { list in
            list.sorted { $0.basePath.utf8.count > $1.basePath.utf8.count }
        }
    }

    public static let empty = DomainRoutes([])

    public var isEmpty: Bool { mappings.isEmpty }

    /// Whether `host` (a Host header, port and case allowed) is a custom domain with mappings.
    public func serves(host: String) -> Bool {
        mappings[DomainName.normalized(host)] != nil
    }

    /// The mapping that takes `path` on `host`; nil when the host is not a mapped custom domain or no
    /// mapping takes the path (AWS answers 403 then).
    public func route(host: String, path: String) -> Route? {
        guard !mappings.isEmpty, let list = mappings[DomainName.normalized(host)] else { return nil }
        for mapping in list {
            if mapping.basePath.isEmpty {
                return Route(restApiId: mapping.restApiId, stage: mapping.stage, path: path.isEmpty ? "/" : path, basePath: "")
            }
            // "/" basePath ("/" rest | end)
            var rest = Substring(path)
            guard rest.utf8.first == UInt8(ascii: "/") else { continue }
            rest = rest.dropFirst()
            guard rest.utf8.starts(with: mapping.basePath.utf8) else { continue }
            rest = Substring(rest.utf8.dropFirst(mapping.basePath.utf8.count))
            if rest.isEmpty { return Route(restApiId: mapping.restApiId, stage: mapping.stage, path: "/", basePath: mapping.basePath) }
            guard rest.utf8.first == UInt8(ascii: "/") else { continue }
            return Route(restApiId: mapping.restApiId, stage: mapping.stage, path: String(rest), basePath: mapping.basePath)
        }
        return nil
    }
}
