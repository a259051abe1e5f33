import Crypto
import Foundation
import GatehouseCore
import GRDB

/// API keys: created, listed, enabled, disabled and deleted by any process, each change audited (never the
/// value). The worker will look a caller's key up by its SHA-256.
extension Store {
    /// The SHA-256 of a key value: what the store indexes and the worker compares.
    public static func keyHash(_ value: String) -> Data {
        Data(SHA256.hash(data: Data(value.utf8)))
    }

    /// Creates a key (with a generated value unless one is given) and returns it with its value.
    @discardableResult
    public func createApiKey(name: String, value: String? = nil, description: String = "", customerId: String? = nil,
                             enabled: Bool = true, actor: Actor, now: Date = Date()) throws -> ApiKey {
        let value = value ?? ApiKey.generateValue()
        if let problem = ApiKey.problem(withValue: value) { throw StoreError.invalid(problem) }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw StoreError.invalid("an API key needs a name (--name)") }
        let key = ApiKey(id: Identifiers.make(), name: name, description: description, customerId: customerId, enabled: enabled,
                         created: now, lastUpdated: now, value: value)
        try write { db in try Self.insert(db, key: key, value: value, actor: actor, action: "CreateApiKey") }
        return key
    }

    /// Creates every key of an `ImportApiKeys` CSV and puts each on its plans, in one transaction: a bad row, a
    /// value already in use or an unknown plan imports nothing.
    public func importApiKeys(_ rows: [ApiKeyImport.Row], actor: Actor, now: Date = Date()) throws -> [ApiKey] {
        try write { db in
            try rows.map { row in
                let value = row.value ?? ApiKey.generateValue()
                let key = ApiKey(id: Identifiers.make(), name: row.name, description: row.description, enabled: row.enabled,
                                 created: now, lastUpdated: now, value: value)
                do {
                    try Self.insert(db, key: key, value: value, actor: actor, action: "ImportApiKeys")
                    for planId in row.usagePlanIds {
                        let plan = try Self.requirePlan(db, id: planId)
                        for stage in plan.apiStages { try Self.refuseSecondPlan(db, keyId: key.id, stage: stage, except: planId) }
                        try UsagePlanKeyRecord(planId: planId, keyId: key.id).insert(db)
                    }
                } catch let error as StoreError {
                    throw StoreError.invalid("line \(row.line): \(error.description); nothing was imported")
                }
                return key
            }
        }
    }

    static func insert(_ db: Database, key: ApiKey, value: String, actor: Actor, action: String) throws {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM api_key WHERE value_hash = ?", arguments: [Self.keyHash(value)]) == true {
            throw StoreError.invalid("another API key already has this value; give a different value, or leave it out to generate one")
        }
        try db.execute(sql: """
            INSERT INTO api_key (id, name, description, customer_id, enabled, value, value_hash, created, last_updated)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [key.id, key.name, key.description, key.customerId, key.enabled, value, Self.keyHash(value),
                             key.created.timeIntervalSince1970, key.lastUpdated.timeIntervalSince1970])
        try Self.audit(db, actor: actor, action: action, target: "apikeys/\(key.id)", before: nil,
                       after: "\(key.name)\(key.enabled ? "" : " (disabled)")")
    }

    /// Every key, by name (with its value only when `values` is true).
    public func apiKeys(values: Bool = false) throws -> [ApiKey] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_key ORDER BY name, id").map { Self.apiKey(from: $0, value: values) } }
    }

    /// One key (its value only when `value` is true).
    public func apiKey(id: String, value: Bool = false) throws -> ApiKey {
        try read { db in try Self.requireApiKey(db, id: id, value: value) }
    }

    /// Turns a key on or off; a disabled key is refused as an unknown one would be.
    public func setApiKeyEnabled(id: String, enabled: Bool, actor: Actor, now: Date = Date()) throws {
        try write { db in
            let before = try Self.requireApiKey(db, id: id, value: false)
            try db.execute(sql: "UPDATE api_key SET enabled = ?, last_updated = ? WHERE id = ?", arguments: [enabled, now.timeIntervalSince1970, id])
            try Self.audit(db, actor: actor, action: "UpdateApiKey(enabled)", target: "apikeys/\(id)",
                           before: before.enabled ? "enabled" : "disabled", after: enabled ? "enabled" : "disabled")
        }
    }

    /// Deletes a key.
    public func deleteApiKey(id: String, actor: Actor) throws {
        try write { db in
            let before = try Self.requireApiKey(db, id: id, value: false)
            try db.execute(sql: "DELETE FROM api_key WHERE id = ?", arguments: [id])
            try Self.audit(db, actor: actor, action: "DeleteApiKey", target: "apikeys/\(id)", before: before.name, after: nil)
        }
    }

    static func requireApiKey(_ db: Database, id: String, value: Bool) throws -> ApiKey {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM api_key WHERE id = ?", arguments: [id]) else {
            throw StoreError.notFound(what: "API key \(id)", hint: "`gatehouse key list` shows the keys")
        }
        return apiKey(from: row, value: value)
    }

    static func apiKey(from row: Row, value: Bool) -> ApiKey {
        ApiKey(id: row["id"], name: row["name"], description: row["description"], customerId: row["customer_id"],
               enabled: row["enabled"], created: Date(timeIntervalSince1970: row["created"]),
               lastUpdated: Date(timeIntervalSince1970: row["last_updated"]), value: value ? row["value"] : nil)
    }
}
