import Foundation
import GatehouseCore
import GRDB

/// An API's authorizers (AWS's `CreateAuthorizer`, `GetAuthorizers`, `DeleteAuthorizer`) and the methods that
/// use them. Like every change to an API's draft, they reach callers with the next deploy.
extension Store {
    /// Adds an authorizer to an API; returns it with its new id. A name is unique within the API.
    @discardableResult
    public func createAuthorizer(apiId: String, _ authorizer: Authorizer, actor: Actor) throws -> Authorizer {
        var made = authorizer
        made.id = Authorizer.generateId()
        if let problem = made.problem { throw StoreError.invalid(problem) }
        try write { db in
            guard try Self.apiExists(db, apiId) else { throw Self.apiNotFound(apiId) }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM authorizer WHERE rest_api_id = ? AND name = ?", arguments: [apiId, made.name]) == true {
                throw StoreError.invalid("API \(apiId) already has an authorizer named '\(made.name)'; choose another --name or delete it first")
            }
            try Self.insertAuthorizer(db, apiId: apiId, made)
            try Self.audit(db, actor: actor, action: "CreateAuthorizer", target: "restapis/\(apiId)/authorizers/\(made.id)", before: nil,
                           after: "\(made.name) \(made.type) \(made.jwtConfiguration?.issuer ?? made.authorizerUri ?? "")")
        }
        return made
    }

    /// An API's authorizers, by name.
    public func authorizers(apiId: String) throws -> [Authorizer] {
        try read { db in
            guard try Self.apiExists(db, apiId) else { throw Self.apiNotFound(apiId) }
            return try Self.loadDefinition(db, apiId: apiId)?.authorizers ?? []
        }
    }

    /// Deletes an authorizer no method uses.
    public func deleteAuthorizer(apiId: String, id: String, actor: Actor) throws {
        try write { db in
            guard let definition = try Self.loadDefinition(db, apiId: apiId) else { throw Self.apiNotFound(apiId) }
            guard let authorizer = definition.authorizer(id: id) else {
                throw StoreError.notFound(what: "authorizer \(id) of API \(apiId)", hint: "`gatehouse authorizer list --api \(apiId)` shows them")
            }
            let users = definition.methods.filter { $0.method.authorizerId == id }.map { "\($0.method.httpMethod) \($0.path)" }
            if !users.isEmpty {
                throw StoreError.invalid("authorizer '\(authorizer.name)' guards \(users.joined(separator: ", ")); "
                                         + "give those methods another authorization first (`gatehouse method set --authorization-type`)")
            }
            try db.execute(sql: "DELETE FROM authorizer WHERE id = ?", arguments: [id])
            try Self.audit(db, actor: actor, action: "DeleteAuthorizer", target: "restapis/\(apiId)/authorizers/\(id)", before: authorizer.name, after: nil)
        }
    }

    /// Guards a method with one of the API's authorizers; for a JWT one, requiring one of `scopes` (none: any token).
    public func setMethodAuthorizer(apiId: String, resourcePath: String, verb: String, authorizerId: String, scopes: [String], actor: Actor) throws {
        guard let authorizer = try authorizers(apiId: apiId).first(where: { $0.id == authorizerId }) else {
            throw StoreError.notFound(what: "authorizer \(authorizerId) of API \(apiId)", hint: "`gatehouse authorizer list --api \(apiId)` shows them")
        }
        try updateMethod(apiId: apiId, resourcePath: resourcePath, verb: verb, action: "UpdateMethod(authorizer)", actor: actor) { method in
            let before = method.authorizationType + (method.authorizerId.map { " \($0)" } ?? "")
            method.authorizationType = authorizer.methodAuthorizationType
            method.authorizerId = authorizerId
            method.authorizationScopes = scopes.isEmpty ? nil : scopes
            return (before, "\(method.authorizationType) \(authorizerId)" + (scopes.isEmpty ? "" : " scopes \(scopes.joined(separator: ","))"))
        }
    }

    static func insertAuthorizer(_ db: Database, apiId: String, _ authorizer: Authorizer) throws {
        try db.execute(sql: "INSERT INTO authorizer (id, rest_api_id, name, definition) VALUES (?, ?, ?, ?)",
                       arguments: [authorizer.id, apiId, authorizer.name, try json(authorizer)])
    }
}

/// An API's resource policy (AWS's `UpdateRestApi` of `/policy`): set from a document, shown, cleared. Like
/// AWS, a change is served from the next deploy.
extension Store {
    /// Sets (or with nil clears) the policy; a document that cannot be used is refused, naming why.
    public func setApiPolicy(apiId: String, document: String?, actor: Actor) throws {
        var stored: String?
        if let document {
            do {
                _ = try ResourcePolicy.parse(document, apiId: apiId)
            } catch {
                throw StoreError.invalid("the resource policy cannot be used: \(error.description)")
            }
            // Stored compact, as an import stores it.
            if let object = try? JSONSerialization.jsonObject(with: Data(document.utf8)),
               let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
                stored = String(decoding: data, as: UTF8.self)
            }
        }
        try write { db in
            guard let api = try RestApiRecord.fetchOne(db, key: apiId) else { throw Self.apiNotFound(apiId) }
            try db.execute(sql: "UPDATE rest_api SET policy = ? WHERE id = ?", arguments: [stored, apiId])
            try Self.audit(db, actor: actor, action: "UpdateRestApi(policy)", target: "restapis/\(apiId)",
                           before: api.policy ?? "none", after: stored ?? "none")
        }
    }
}
