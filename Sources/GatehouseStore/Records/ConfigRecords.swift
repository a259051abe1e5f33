import Foundation
import GatehouseCore
import GRDB

/// A `rest_api` row: the one place it becomes a `RestApi` and back.
struct RestApiRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "rest_api"
    var id: String
    var name: String
    var description: String?
    var version: String?
    var apiKeySource: String
    var createdDate: Double
    var policy: String?
    var endpointType: String?
    var gatewayResponses: String?
    var requestValidators: String?
    var models: String?
    var documentation: String?
    var binaryMediaTypes: String?
    var minimumCompressionSize: Int?
    var document: String?

    /// The document column: the document's tags and base path.
    struct StoredDocument: Codable {
        var tags: [ApiTag]?
        var basePath: String?
    }

    /// The request validators column: the validators by name and the API's default.
    struct StoredValidators: Codable {
        var validators: [String: RequestValidator]
        var defaultName: String?
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, version, apiKeySource = "api_key_source", createdDate = "created_date", policy
        case endpointType = "endpoint_type", gatewayResponses = "gateway_responses", requestValidators = "request_validators", models, documentation
        case binaryMediaTypes = "binary_media_types", minimumCompressionSize = "minimum_compression_size", document
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let createdDate = Column(CodingKeys.createdDate)
    }

    init(_ api: RestApi) {
        id = api.id
        name = api.name
        description = api.description
        version = api.version
        apiKeySource = api.apiKeySource.rawValue
        createdDate = api.createdDate.timeIntervalSince1970
        policy = api.policy
        endpointType = api.endpointType?.rawValue
        gatewayResponses = api.gatewayResponses.flatMap { $0.isEmpty ? nil : try? Store.json($0) }
        models = api.models.flatMap { $0.isEmpty ? nil : try? Store.json($0) }
        documentation = api.documentation.flatMap { try? Store.json($0) }
        binaryMediaTypes = api.binaryMediaTypes.flatMap { try? Store.json($0) }
        minimumCompressionSize = api.minimumCompressionSize
        if api.tags != nil || api.basePath != nil { document = try? Store.json(StoredDocument(tags: api.tags, basePath: api.basePath)) }
        if api.requestValidators?.isEmpty == false || api.defaultRequestValidator != nil {
            requestValidators = try? Store.json(StoredValidators(validators: api.requestValidators ?? [:], defaultName: api.defaultRequestValidator))
        }
    }

    var restApi: RestApi {
        var api = RestApi(id: id, name: name, description: description, version: version, apiKeySource: ApiKeySource(rawValue: apiKeySource) ?? .header,
                createdDate: Date(timeIntervalSince1970: createdDate), policy: policy,
                endpointType: endpointType.flatMap(EndpointType.init(rawValue:)))
        api.gatewayResponses = gatewayResponses.flatMap { try? Store.decode([String: GatewayResponseSetting].self, $0) }
        api.models = models.flatMap { try? Store.decode([String: String].self, $0) }
        api.documentation = documentation.flatMap { try? Store.decode(ApiDocumentation.self, $0) }
        api.binaryMediaTypes = binaryMediaTypes.flatMap { try? Store.decode([String].self, $0) }
        api.minimumCompressionSize = minimumCompressionSize
        if let stored = document.flatMap({ try? Store.decode(StoredDocument.self, $0) }) {
            api.tags = stored.tags
            api.basePath = stored.basePath
        }
        if let stored = requestValidators.flatMap({ try? Store.decode(StoredValidators.self, $0) }) {
            api.requestValidators = stored.validators
            api.defaultRequestValidator = stored.defaultName
        }
        return api
    }
}

/// A `deployment` row: the API frozen as JSON. Listing without the snapshot selects the other columns only.
struct DeploymentRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "deployment"
    var id: String
    var restApiId: String
    var description: String?
    var createdDate: Double
    var snapshot: String

    enum CodingKeys: String, CodingKey {
        case id, restApiId = "rest_api_id", description, createdDate = "created_date", snapshot
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let restApiId = Column(CodingKeys.restApiId)
        static let createdDate = Column(CodingKeys.createdDate)
    }

    init(_ deployment: Deployment) throws {
        id = deployment.id
        restApiId = deployment.restApiId
        description = deployment.description
        createdDate = deployment.createdDate.timeIntervalSince1970
        snapshot = try Store.json(deployment.snapshot)
    }

    func deployment() throws -> Deployment {
        Deployment(id: id, restApiId: restApiId, description: description, createdDate: Date(timeIntervalSince1970: createdDate),
                   snapshot: try Store.decode(ApiDefinition.self, snapshot))
    }

    /// The API's deployments, newest first (ties: the later insert first).
    static func newestFirst(apiId: String) -> QueryInterfaceRequest<DeploymentRecord> {
        filter(Columns.restApiId == apiId).order(Columns.createdDate.desc, Column.rowID.desc)
    }
}

/// A `stage` row: variables, method settings, access-log and cache settings as JSON.
struct StageRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "stage"
    var restApiId: String
    var stageName: String
    var deploymentId: String
    var description: String?
    var variables: String
    var methodSettings: String
    var createdDate: Double
    var lastUpdatedDate: Double
    var accessLogSettings: String?
    var cacheSettings: String?
    var clientCertificateId: String?
    var authorizerGeneration: Int

    enum CodingKeys: String, CodingKey {
        case authorizerGeneration = "authorizer_generation"
        case restApiId = "rest_api_id", stageName = "stage_name", deploymentId = "deployment_id", description, variables
        case methodSettings = "method_settings", createdDate = "created_date", lastUpdatedDate = "last_updated_date"
        case accessLogSettings = "access_log_settings", cacheSettings = "cache_settings", clientCertificateId = "client_certificate_id"
    }

    enum Columns {
        static let restApiId = Column(CodingKeys.restApiId)
        static let stageName = Column(CodingKeys.stageName)
    }

    init(_ stage: Stage) throws {
        restApiId = stage.restApiId
        stageName = stage.stageName
        deploymentId = stage.deploymentId
        description = stage.description
        variables = try Store.json(stage.variables)
        methodSettings = try Store.json(stage.methodSettings)
        createdDate = stage.createdDate.timeIntervalSince1970
        lastUpdatedDate = stage.lastUpdatedDate.timeIntervalSince1970
        accessLogSettings = try stage.accessLogSettings.map { try Store.json($0) }
        cacheSettings = try stage.cache.map { try Store.json($0) }
        clientCertificateId = stage.clientCertificateId
        authorizerGeneration = stage.authorizerCacheGeneration ?? 0
    }

    func stage() throws -> Stage {
        var stage = Stage(restApiId: restApiId, stageName: stageName, deploymentId: deploymentId, description: description,
                          variables: try Store.decode([String: String].self, variables),
                          methodSettings: try Store.decode([String: MethodSetting].self, methodSettings),
                          createdDate: Date(timeIntervalSince1970: createdDate), lastUpdatedDate: Date(timeIntervalSince1970: lastUpdatedDate))
        stage.accessLogSettings = try accessLogSettings.map { try Store.decode(AccessLogSettings.self, $0) }
        stage.cache = try cacheSettings.map { try Store.decode(StageCacheSettings.self, $0) }
        stage.clientCertificateId = clientCertificateId
        stage.authorizerCacheGeneration = authorizerGeneration == 0 ? nil : authorizerGeneration
        return stage
    }
}
