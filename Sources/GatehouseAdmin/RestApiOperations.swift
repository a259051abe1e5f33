import Foundation
import GatehouseCore
import GatehouseStore

/// RestApi: Create, Get, Gets (paged), Update (patch), Delete, Import (`POST /restapis?mode=import`), Put
/// (`mode=overwrite|merge`) and GetExport (oas30 / swagger, JSON or YAML by `Accept`).
enum RestApiOperations {
    static let table: [String: ManagementAPI.Operation] = [
        "CreateRestApi": create, "GetRestApi": get, "GetRestApis": list, "UpdateRestApi": update, "DeleteRestApi": delete,
        "ImportRestApi": importApi, "PutRestApi": put, "GetExport": export,
    ]

    static func create(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        var api = RestApi(id: Identifiers.make(), name: try call.requiredString("name"), description: call.string("description"),
                          version: call.string("version"))
        if let source = call.string("apiKeySource") {
            guard let parsed = ApiKeySource(rawValue: source) else { throw ManagementError.badRequest("apiKeySource must be HEADER or AUTHORIZER") }
            api.apiKeySource = parsed
        }
        api.binaryMediaTypes = call.strings("binaryMediaTypes")
        api.minimumCompressionSize = call.int("minimumCompressionSize")
        api.policy = call.string("policy")
        if let types = (call.json["endpointConfiguration"] as? [String: Any])?["types"] as? [String], let first = types.first {
            guard types.count == 1, let type = EndpointType(rawValue: first) else {
                throw ManagementError.badRequest("endpointConfiguration.types must name one of REGIONAL, EDGE or PRIVATE")
            }
            api.endpointType = type
        }
        if let tags = call.stringMap("tags") { api.tags = tags.keys.sorted().map { ApiTag(name: $0, value: tags[$0]) } }
        return .json(ManagementShapes.restApi(try call.store.createApi(api, actor: call.actor).restApi))
    }

    static func get(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(ManagementShapes.restApi(try definition(call).restApi))
    }

    static func list(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let apis = try call.store.restApis().sorted { ($0.createdDate, $0.id) < ($1.createdDate, $1.id) }
        return .json(try call.page(apis.map(ManagementShapes.restApi)))
    }

    static func delete(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try call.store.deleteApi(apiId: call.variable("restapi_id"), actor: call.actor)
        return .empty
    }

    /// The API the path names, or AWS's NotFoundException.
    static func definition(_ call: ManagementCall) throws -> ApiDefinition {
        let id = call.variable("restapi_id")
        guard let definition = try call.store.definition(apiId: id) else { throw ManagementError.notFound("Invalid API identifier specified \(id)") }
        return definition
    }

    /// Changes API `id`'s draft through the store in one transaction; an unknown id is AWS's NotFoundException.
    static func change<T>(_ call: ManagementCall, id: String, action: String, target: String,
                          _ body: (inout ApiDefinition) throws -> T) throws -> T {
        do {
            return try call.store.changeDefinition(apiId: id, action: action, target: target, actor: call.actor, body)
        } catch StoreError.notFound(let what, _) where what == "API \(id)" {
            throw ManagementError.notFound("Invalid API identifier specified \(id)")
        }
    }

    static func update(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let operations = try call.patchOperations()
        let id = call.variable("restapi_id")
        let updated = try change(call, id: id, action: "UpdateRestApi", target: "restapis/\(id)") { definition in
            for operation in operations { try apply(operation, to: &definition.restApi) }
            return definition.restApi
        }
        return .json(ManagementShapes.restApi(updated))
    }

    static func apply(_ operation: PatchOperation, to api: inout RestApi) throws {
        let segments = operation.segments
        switch (operation.op, segments.first ?? "") {
        case (.replace, "name"): api.name = try operation.requiredValue()
        case (.replace, "description"): api.description = operation.value
        case (.replace, "version"): api.version = operation.value
        case (.replace, "policy"): api.policy = operation.value.flatMap { $0.isEmpty ? nil : $0 }
        case (.replace, "apiKeySource"):
            guard let source = ApiKeySource(rawValue: try operation.requiredValue()) else {
                throw ManagementError.badRequest("apiKeySource must be HEADER or AUTHORIZER")
            }
            api.apiKeySource = source
        case (.replace, "minimumCompressionSize"):
            if let text = operation.value, !text.isEmpty {
                guard let size = Int(text), (0...10_485_760).contains(size) else {
                    throw ManagementError.badRequest("minimumCompressionSize must be from 0 to 10485760, got '\(text)'")
                }
                api.minimumCompressionSize = size
            } else {
                api.minimumCompressionSize = nil
            }
        case (.add, "binaryMediaTypes") where segments.count == 2:
            var types = api.binaryMediaTypes ?? []
            if !types.contains(segments[1]) { types.append(segments[1]) }
            api.binaryMediaTypes = types
        case (.remove, "binaryMediaTypes") where segments.count == 2:
            api.binaryMediaTypes = api.binaryMediaTypes?.filter { $0 != segments[1] }
            if api.binaryMediaTypes?.isEmpty == true { api.binaryMediaTypes = nil }
        case (.replace, "endpointConfiguration") where segments.count == 3 && segments[1] == "types":
            guard let type = EndpointType(rawValue: try operation.requiredValue()) else {
                throw ManagementError.badRequest("an endpoint type is REGIONAL, EDGE or PRIVATE")
            }
            api.endpointType = type
        default:
            throw operation.unsupported()
        }
    }

    static func importApi(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let result = try parse(call, apiId: Identifiers.make())
        try call.store.putApi(result.definition, mode: .overwrite, actor: call.actor, action: "ImportRestApi")
        return .json(withWarnings(result))
    }

    static func put(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("restapi_id")
        _ = try definition(call)
        let mode: ImportMode
        switch call.query["mode"] ?? "merge" {
        case "overwrite": mode = .overwrite
        case "merge": mode = .merge
        case let other: throw ManagementError.badRequest("mode must be overwrite or merge, got '\(other)'")
        }
        let result = try parse(call, apiId: id)
        try call.store.putApi(result.definition, mode: mode, actor: call.actor, action: "PutRestApi(\(mode.rawValue))")
        guard let stored = try call.store.definition(apiId: id) else { throw ManagementError.notFound("Invalid API identifier specified \(id)") }
        return .json(withWarnings(OpenAPIImporter.Result(definition: stored, warnings: result.warnings)))
    }

    /// The body as an OpenAPI document; with `failonwarnings=true` any warning refuses it, as AWS's flag.
    static func parse(_ call: ManagementCall, apiId: String) throws -> OpenAPIImporter.Result {
        let text = String(decoding: call.body, as: UTF8.self)
        let result: OpenAPIImporter.Result
        do {
            result = try OpenAPIImporter.parse(text, apiId: apiId)
        } catch {
            throw ManagementError.badRequest("the OpenAPI document was not imported (nothing was written): \(error.description)")
        }
        if call.query["failonwarnings"] == "true", !result.warnings.isEmpty {
            throw ManagementError.badRequest("Warnings found during import (failonwarnings is set; nothing was written):\n"
                                             + result.warnings.map(\.description).joined(separator: "\n"))
        }
        return result
    }

    static func withWarnings(_ result: OpenAPIImporter.Result) -> DocValue {
        guard case .object(var fields) = ManagementShapes.restApi(result.definition.restApi) else { return .null }
        if !result.warnings.isEmpty { fields.append(("warnings", ManagementShapes.list(result.warnings.map(\.description)))) }
        return .object(fields)
    }

    /// The export with only the `x-amazon-apigateway-*` extensions asked for, as AWS's `extensions` parameter:
    /// `apigateway` keeps them all, `integrations` the integrations, `authorizers` the authorizers; none, none.
    static func keepingExtensions(_ value: DocValue, _ asked: Set<String>) -> DocValue {
        if asked.contains("apigateway") { return value }
        func kept(_ key: String) -> Bool {
            guard key.hasPrefix("x-amazon-apigateway") else { return true }
            if asked.contains("integrations"), key.hasPrefix("x-amazon-apigateway-integration") { return true }
            if asked.contains("authorizers"), key == "x-amazon-apigateway-authorizer" || key == "x-amazon-apigateway-authtype" { return true }
            return false
        }
        switch value {
        case .object(let pairs): return .object(pairs.filter { kept($0.0) }.map { ($0.0, keepingExtensions($0.1, asked)) })
        case .array(let items): return .array(items.map { keepingExtensions($0, asked) })
        default: return value
        }
    }

    static func export(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("restapi_id"), stageName = call.variable("stage_name")
        guard let format = OpenAPIExporter.Format(rawValue: call.variable("export_type")) else {
            throw ManagementError.badRequest("export type must be oas30 or swagger, got '\(call.variable("export_type"))'")
        }
        let stage = try call.store.existingStage(apiId: id, stageName: stageName)
        let snapshot = try call.store.deployment(apiId: id, id: stage.deploymentId).snapshot
        let extensions = Set((call.query["extensions"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let document = keepingExtensions(OpenAPIExporter.document(snapshot, stageName: stageName, format: format), extensions)
        let accept = call.header("accept") ?? "application/json"
        if accept.contains("yaml") {
            return .document(Array(try document.yaml().utf8), contentType: "application/yaml")
        }
        return .document(Array(document.json().utf8), contentType: "application/json")
    }
}
