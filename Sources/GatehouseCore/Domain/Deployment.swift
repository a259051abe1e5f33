import Foundation

/// An immutable snapshot of an API's resources and methods; stages point at one, and a rollback points back.
/// Mirrors `Deployment` of the AWS `apigateway` model, with the snapshot it freezes.
public struct Deployment: Codable, Sendable, Equatable {
    public var id: String
    public var restApiId: String
    public var description: String?
    public var createdDate: Date
    public var snapshot: ApiDefinition

    public init(id: String, restApiId: String, description: String?, createdDate: Date = Date(), snapshot: ApiDefinition) {
        self.id = id
        self.restApiId = restApiId
        self.description = description
        self.createdDate = createdDate
        self.snapshot = snapshot
    }
}

/// A whole API: the RestApi and its resource tree. The unit that import writes, export reads and deploy freezes.
public struct ApiDefinition: Codable, Sendable, Equatable {
    public var restApi: RestApi
    /// Resources sorted by path; the root `/` is always present.
    public var resources: [Resource]
    /// The API's authorizers (AWS keeps them per API; methods name one by id).
    public var authorizers: [Authorizer]

    public init(restApi: RestApi, resources: [Resource], authorizers: [Authorizer] = []) {
        self.restApi = restApi
        self.resources = resources.sorted { $0.path < $1.path }
        self.authorizers = authorizers.sorted { $0.name < $1.name }
    }

    enum CodingKeys: String, CodingKey {
        case restApi, resources, authorizers
    }

    /// Snapshots deployed before authorizers existed have none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(restApi: try container.decode(RestApi.self, forKey: .restApi), resources: try container.decode([Resource].self, forKey: .resources),
                  authorizers: try container.decodeIfPresent([Authorizer].self, forKey: .authorizers) ?? [])
    }

    /// The authorizer with `id`, if the API has it.
    public func authorizer(id: String?) -> Authorizer? {
        guard let id else { return nil }
        return authorizers.first { $0.id == id }
    }

    /// Every method of the API, with the path of its resource.
    public var methods: [(path: String, method: Method)] {
        resources.flatMap { resource in
            resource.resourceMethods.keys.sorted().compactMap { verb in
                resource.resourceMethods[verb].map { (resource.path, $0) }
            }
        }
    }
}

/// Account-wide settings; today the account-level throttle that every request also passes.
public struct Account: Codable, Sendable, Equatable {
    public var throttle: ThrottleLimit

    public init(throttle: ThrottleLimit = Account.defaultThrottle) {
        self.throttle = throttle
    }

    /// AWS's default account limit: 10,000 requests per second with a burst of 5,000.
    public static let defaultThrottle = ThrottleLimit(rate: 10_000, burst: 5_000)
}

extension ApiDefinition {
    /// The stage variables the methods read (in integration URIs, `${stageVariables.name}`, and request
    /// parameters, `stageVariables.name`), each with the methods that read it as `GET /pets`.
    public var stageVariableReferences: [String: [String]] {
        var references: [String: [String]] = [:]
        for (path, method) in methods {
            guard let integration = method.methodIntegration else { continue }
            var names = Set<String>()
            if let uri = integration.uri {
                var rest = Substring(uri)
                while let start = rest.range(of: "${stageVariables.") {
                    rest = rest[start.upperBound...]
                    guard let end = rest.firstIndex(of: "}") else { break }
                    names.insert(String(rest[..<end]))
                    rest = rest[end...]
                }
            }
            for value in integration.requestParameters.values where value.hasPrefix("stageVariables.") {
                names.insert(String(value.dropFirst("stageVariables.".count)))
            }
            for name in names {
                references[name, default: []].append(Stage.methodLabel(settingsKey: Stage.methodSettingsKey(resourcePath: path, httpMethod: method.httpMethod)))
            }
        }
        return references
    }
}
