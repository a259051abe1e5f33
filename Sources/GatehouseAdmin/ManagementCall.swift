import Foundation
import GatehouseCore
import GatehouseStore

/// One call of the management API as an operation sees it: its path variables, query, JSON body and caller.
struct ManagementCall {
    let operation: String
    let variables: [String: String]
    let query: [String: String]
    /// Every query pair in order, repeats kept (a list member such as `tagKeys` comes as `tagKeys=a&tagKeys=b`).
    let queryPairs: [(String, String)]
    let headers: [(name: String, value: String)]
    let body: [UInt8]
    /// The caller, for the audit log: the signing credential's name (source `admin-api`).
    let actor: Actor
    let store: Store
    /// The body as a JSON object (empty without a body).
    let json: [String: Any]

    init(operation: String, variables: [String: String], query: [String: String], queryPairs: [(String, String)] = [],
         headers: [(name: String, value: String)],
         body: [UInt8], actor: Actor, store: Store, parsesBody: Bool) throws(ManagementError) {
        self.operation = operation
        self.variables = variables
        self.query = query
        self.queryPairs = queryPairs
        self.headers = headers
        self.body = body
        self.actor = actor
        self.store = store
        if parsesBody, !body.isEmpty, !body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw .badRequest("the body of \(operation) is not a JSON object")
            }
            json = object
        } else {
            json = [:]
        }
    }

    func variable(_ name: String) -> String { variables[name] ?? "" }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func string(_ key: String) -> String? { json[key] as? String }

    func requiredString(_ key: String) throws(ManagementError) -> String {
        guard let value = json[key] as? String, !value.isEmpty else { throw .badRequest("\(operation) needs '\(key)'") }
        return value
    }

    func bool(_ key: String) -> Bool? {
        guard let value = json[key], type(of: value) == DocValue.booleanClass || value is Bool else { return nil }
        return value as? Bool
    }

    func int(_ key: String) -> Int? { (json[key] as? NSNumber)?.intValue }
    func double(_ key: String) -> Double? { (json[key] as? NSNumber)?.doubleValue }
    func strings(_ key: String) -> [String]? { json[key] as? [String] }

    func stringMap(_ key: String) -> [String: String]? {
        guard let map = json[key] as? [String: Any] else { return nil }
        return map.compactMapValues { $0 as? String }
    }

    func flagMap(_ key: String) -> [String: Bool]? {
        guard let map = json[key] as? [String: Any] else { return nil }
        return map.compactMapValues { ($0 as? NSNumber)?.boolValue }
    }

    /// `patchOperations`, each `op`, `path` (AWS's `~1` for `/`), `value`, `from`.
    func patchOperations() throws(ManagementError) -> [PatchOperation] {
        guard let list = json["patchOperations"] else { return [] }
        guard let items = list as? [[String: Any]] else { throw .badRequest("patchOperations must be a list of operations") }
        var operations: [PatchOperation] = []
        for item in items {
            guard let op = (item["op"] as? String).flatMap(PatchOperation.Op.init(rawValue:)), let path = item["path"] as? String else {
                throw .badRequest("each patch operation needs op (add, remove, replace, move, copy, test) and path")
            }
            operations.append(PatchOperation(op: op, path: path, value: item["value"] as? String, from: item["from"] as? String))
        }
        return operations
    }

    /// A page of `items` by AWS's `position` (where the last page ended) and `limit` (25 by default, 500 at most).
    func page(_ items: [DocValue]) throws(ManagementError) -> DocValue {
        let limit = query["limit"].flatMap(Int.init) ?? 25
        guard (1...500).contains(limit) else { throw .badRequest("limit must be from 1 to 500") }
        let start = query["position"].flatMap(Int.init) ?? 0
        guard start >= 0 else { throw .badRequest("position '\(query["position"] ?? "")' is not one this API gave") }
        let end = min(items.count, start + limit)
        let slice = start < items.count ? Array(items[start..<end]) : []
        var fields: [(String, DocValue)] = []
        if end < items.count { fields.append(("position", .string(String(end)))) }
        fields.append(("item", .array(slice)))
        return .object(fields)
    }
}

/// One of AWS's patch operations: `op` on `path` (segments escaped `~1` for `/` and `~0` for `~`) with a value.
struct PatchOperation {
    enum Op: String {
        case add, remove, replace, move, copy, test
    }

    let op: Op
    let path: String
    let value: String?
    let from: String?

    /// The path's segments, unescaped.
    var segments: [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    func requiredValue() throws(ManagementError) -> String {
        guard let value else { throw .badRequest("the patch operation \(op.rawValue) \(path) needs a value") }
        return value
    }

    func unsupported() -> ManagementError {
        .badRequest("Invalid patch path '\(path)' (\(op.rawValue)) for this resource, or one Gatehouse does not change")
    }
}
