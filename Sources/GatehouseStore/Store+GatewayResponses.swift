import Foundation
import GatehouseCore
import GRDB

/// An API's gateway responses (AWS's `PutGatewayResponse`, `GetGatewayResponses`, `DeleteGatewayResponse`):
/// written to the API's draft, audited, served from the next deploy as AWS serves them.
extension Store {
    public func putGatewayResponse(apiId: String, _ setting: GatewayResponseSetting, actor: Actor) throws {
        if let problem = setting.problem { throw StoreError.invalid(problem) }
        try write { db in
            guard var record = try RestApiRecord.fetchOne(db, key: apiId) else { throw Self.apiNotFound(apiId) }
            var api = record.restApi
            let before = api.gatewayResponses?[setting.responseType]
            api.gatewayResponses = (api.gatewayResponses ?? [:]).merging([setting.responseType: setting]) { _, new in new }
            record.gatewayResponses = try Self.json(api.gatewayResponses ?? [:])
            try record.update(db)
            try Self.audit(db, actor: actor, action: "PutGatewayResponse", target: "restapis/\(apiId)/gatewayresponses/\(setting.responseType)",
                           before: before.map(Self.describe) ?? "default", after: Self.describe(setting))
        }
    }

    public func deleteGatewayResponse(apiId: String, type: String, actor: Actor) throws {
        try write { db in
            guard var record = try RestApiRecord.fetchOne(db, key: apiId) else { throw Self.apiNotFound(apiId) }
            var responses = record.restApi.gatewayResponses ?? [:]
            guard let before = responses.removeValue(forKey: type) else {
                throw StoreError.notFound(what: "gateway response \(type) of \(apiId)", hint: "`gatehouse gateway-response list --api \(apiId)` shows them")
            }
            record.gatewayResponses = responses.isEmpty ? nil : try Self.json(responses)
            try record.update(db)
            try Self.audit(db, actor: actor, action: "DeleteGatewayResponse", target: "restapis/\(apiId)/gatewayresponses/\(type)",
                           before: Self.describe(before), after: "default")
        }
    }

    /// The API's customized responses (the draft's), by type.
    public func gatewayResponses(apiId: String) throws -> [String: GatewayResponseSetting] {
        try read { db in
            guard let record = try RestApiRecord.fetchOne(db, key: apiId) else { throw Self.apiNotFound(apiId) }
            return record.restApi.gatewayResponses ?? [:]
        }
    }

    static func describe(_ setting: GatewayResponseSetting) -> String {
        var parts: [String] = []
        if let status = setting.statusCode { parts.append("status \(status)") }
        for name in setting.responseParameters.keys.sorted() { parts.append("\(name)=\(setting.responseParameters[name] ?? "")") }
        for type in setting.responseTemplates.keys.sorted() { parts.append("template \(type)") }
        return parts.isEmpty ? "customized (no fields)" : parts.joined(separator: ", ")
    }
}
