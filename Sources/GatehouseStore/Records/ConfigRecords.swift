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

    enum CodingKeys: String, CodingKey {
        case id, name, description, version, apiKeySource = "api_key_source", createdDate = "created_date"
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
    }

    var restApi: RestApi {
        RestApi(id: id, name: name, description: description, version: version, apiKeySource: ApiKeySource(rawValue: apiKeySource) ?? .header,
                createdDate: Date(timeIntervalSince1970: createdDate))
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
