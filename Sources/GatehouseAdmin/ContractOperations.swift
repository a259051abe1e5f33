import Foundation
import GatehouseCore
import GatehouseStore

/// What an API's contract holds beside its resources: GatewayResponse, Model, RequestValidator, Authorizer and
/// the RestApi's Tags — each kept in the API's definition and written through the store like every change.
enum ContractOperations {
    static let table: [String: ManagementAPI.Operation] = [
        "PutGatewayResponse": putGatewayResponse, "GetGatewayResponse": getGatewayResponse, "GetGatewayResponses": getGatewayResponses,
        "UpdateGatewayResponse": updateGatewayResponse, "DeleteGatewayResponse": deleteGatewayResponse,
        "CreateModel": createModel, "GetModel": getModel, "GetModels": getModels, "UpdateModel": updateModel, "DeleteModel": deleteModel,
        "CreateRequestValidator": createValidator, "GetRequestValidator": getValidator, "GetRequestValidators": getValidators,
        "UpdateRequestValidator": updateValidator, "DeleteRequestValidator": deleteValidator,
        "CreateAuthorizer": createAuthorizer, "GetAuthorizer": getAuthorizer, "GetAuthorizers": getAuthorizers,
        "UpdateAuthorizer": updateAuthorizer, "DeleteAuthorizer": deleteAuthorizer,
        "TagResource": tag, "UntagResource": untag, "GetTags": tags,
    ]

    static func change<T>(_ call: ManagementCall, target: String, _ body: (inout ApiDefinition) throws -> T) throws -> T {
        try ResourceOperations.change(call, target: target, body)
    }

    // MARK: Gateway responses

    static func gatewayResponse(_ type: String, _ setting: GatewayResponseSetting?, isDefault: Bool) -> DocValue {
        let known = GatewayResponseType(rawValue: type)
        return ManagementShapes.object([
            ("responseType", .string(type)), ("statusCode", (setting?.statusCode ?? known.map { String($0.statusCode) }).map(DocValue.string)),
            ("responseParameters", setting.map { ManagementShapes.strings($0.responseParameters) }),
            ("responseTemplates", setting.map { ManagementShapes.strings($0.responseTemplates) }
                ?? ManagementShapes.strings(["application/json": #"{"message":$context.error.messageString}"#])),
            ("defaultResponse", .bool(isDefault)),
        ])
    }

    static func responseType(_ call: ManagementCall) throws -> String {
        let type = call.variable("response_type")
        guard GatewayResponseSetting.responseTypes.contains(type) else { throw ManagementError.badRequest("Invalid response type '\(type)'") }
        return type
    }

    static func putGatewayResponse(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let type = try responseType(call)
        let setting = GatewayResponseSetting(responseType: type, statusCode: call.string("statusCode"),
                                             responseParameters: call.stringMap("responseParameters") ?? [:],
                                             responseTemplates: call.stringMap("responseTemplates") ?? [:])
        if let problem = setting.problem { throw ManagementError.badRequest(problem) }
        try check(setting)
        _ = try RestApiOperations.definition(call)
        try call.store.putGatewayResponse(apiId: call.variable("restapi_id"), setting, actor: call.actor)
        return .json(gatewayResponse(type, setting, isDefault: false))
    }

    static func check(_ setting: GatewayResponseSetting) throws {
        do {
            _ = try CompiledTemplates(setting.responseTemplates, role: "\(setting.responseType) gateway response")
        } catch {
            throw ManagementError.badRequest("Invalid mapping expression specified: \(error)")
        }
    }

    static func getGatewayResponse(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let type = try responseType(call)
        let settings = try RestApiOperations.definition(call).restApi.gatewayResponses ?? [:]
        return .json(gatewayResponse(type, settings[type], isDefault: settings[type] == nil))
    }

    static func getGatewayResponses(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let settings = try RestApiOperations.definition(call).restApi.gatewayResponses ?? [:]
        return .json(try call.page(GatewayResponseSetting.responseTypes.map { gatewayResponse($0, settings[$0], isDefault: settings[$0] == nil) }))
    }

    static func updateGatewayResponse(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let type = try responseType(call)
        var setting = (try RestApiOperations.definition(call).restApi.gatewayResponses ?? [:])[type] ?? GatewayResponseSetting(responseType: type)
        for operation in try call.patchOperations() {
            let segments = operation.segments
            switch (operation.op, segments.first ?? "", segments.count) {
            case (.replace, "statusCode", 1): setting.statusCode = operation.value
            case (.add, "responseParameters", 2), (.replace, "responseParameters", 2): setting.responseParameters[segments[1]] = try operation.requiredValue()
            case (.remove, "responseParameters", 2): setting.responseParameters[segments[1]] = nil
            case (.add, "responseTemplates", 2), (.replace, "responseTemplates", 2): setting.responseTemplates[segments[1]] = operation.value ?? ""
            case (.remove, "responseTemplates", 2): setting.responseTemplates[segments[1]] = nil
            default: throw operation.unsupported()
            }
        }
        if let problem = setting.problem { throw ManagementError.badRequest(problem) }
        try check(setting)
        try call.store.putGatewayResponse(apiId: call.variable("restapi_id"), setting, actor: call.actor)
        return .json(gatewayResponse(type, setting, isDefault: false))
    }

    static func deleteGatewayResponse(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try call.store.deleteGatewayResponse(apiId: call.variable("restapi_id"), type: try responseType(call), actor: call.actor)
        return .empty
    }

    // MARK: Models

    static func model(_ name: String, _ schema: String) -> DocValue {
        ManagementShapes.object([("id", .string(name)), ("name", .string(name)), ("schema", .string(schema)), ("contentType", .string("application/json"))])
    }

    static func checkSchema(_ schema: String) throws {
        guard (try? JSONSerialization.jsonObject(with: Data(schema.utf8))) is [String: Any] else {
            throw ManagementError.badRequest("Invalid model specified: the schema must be a JSON object (JSON Schema draft 4)")
        }
    }

    static func createModel(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let name = try call.requiredString("name"), schema = call.string("schema") ?? "{}"
        guard name.allSatisfy({ $0.isLetter || $0.isNumber }) else { throw ManagementError.badRequest("Model name must be alphanumeric") }
        try checkSchema(schema)
        try change(call, target: "models/\(name)") { definition in
            guard definition.restApi.models?[name] == nil else { throw ManagementError.conflict("Model name already exists for this REST API") }
            definition.restApi.models = (definition.restApi.models ?? [:]).merging([name: schema]) { $1 }
        }
        return .json(model(name, schema))
    }

    static func getModel(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let name = call.variable("model_name")
        guard let schema = try RestApiOperations.definition(call).restApi.models?[name] else { throw ManagementError.notFound("Invalid model name specified: \(name)") }
        return .json(model(name, schema))
    }

    static func getModels(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let models = try RestApiOperations.definition(call).restApi.models ?? [:]
        return .json(try call.page(models.keys.sorted().map { model($0, models[$0] ?? "{}") }))
    }

    static func updateModel(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let name = call.variable("model_name"), operations = try call.patchOperations()
        let schema = try change(call, target: "models/\(name)") { definition -> String in
            guard var schema = definition.restApi.models?[name] else { throw ManagementError.notFound("Invalid model name specified: \(name)") }
            for operation in operations {
                guard operation.op == .replace, operation.path == "/schema" else { throw operation.unsupported() }
                schema = try operation.requiredValue()
                try checkSchema(schema)
            }
            definition.restApi.models?[name] = schema
            return schema
        }
        return .json(model(name, schema))
    }

    static func deleteModel(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let name = call.variable("model_name")
        try change(call, target: "models/\(name)") { definition in
            guard definition.restApi.models?[name] != nil else { throw ManagementError.notFound("Invalid model name specified: \(name)") }
            let users = definition.methods.filter { $0.method.requestModels?.values.contains(name) == true }
            guard users.isEmpty else {
                throw ManagementError.conflict("Cannot delete model '\(name)': it is used by \(users.map { "\($0.method.httpMethod) \($0.path)" }.joined(separator: ", "))")
            }
            definition.restApi.models?[name] = nil
        }
        return .empty
    }

    // MARK: Request validators (the name is the id)

    static func validator(_ validator: RequestValidator) -> DocValue {
        ManagementShapes.object([("id", .string(validator.name)), ("name", .string(validator.name)),
                                 ("validateRequestBody", .bool(validator.validateRequestBody)),
                                 ("validateRequestParameters", .bool(validator.validateRequestParameters))])
    }

    static func createValidator(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let created = RequestValidator(name: try call.requiredString("name"), validateRequestBody: call.bool("validateRequestBody") ?? false,
                                       validateRequestParameters: call.bool("validateRequestParameters") ?? false)
        try change(call, target: "requestvalidators/\(created.name)") { definition in
            guard definition.restApi.requestValidators?[created.name] == nil else { throw ManagementError.conflict("Validator already exists") }
            definition.restApi.requestValidators = (definition.restApi.requestValidators ?? [:]).merging([created.name: created]) { $1 }
        }
        return .json(validator(created))
    }

    static func getValidator(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("requestvalidator_id")
        guard let found = try RestApiOperations.definition(call).restApi.requestValidators?[id] else {
            throw ManagementError.notFound("Invalid Request Validator identifier specified")
        }
        return .json(validator(found))
    }

    static func getValidators(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let validators = try RestApiOperations.definition(call).restApi.requestValidators ?? [:]
        return .json(try call.page(validators.keys.sorted().compactMap { validators[$0].map(validator) }))
    }

    static func updateValidator(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("requestvalidator_id"), operations = try call.patchOperations()
        let updated = try change(call, target: "requestvalidators/\(id)") { definition -> RequestValidator in
            guard var found = definition.restApi.requestValidators?[id] else { throw ManagementError.notFound("Invalid Request Validator identifier specified") }
            for operation in operations {
                switch (operation.op, operation.path) {
                case (.replace, "/validateRequestBody"): found.validateRequestBody = try operation.requiredValue() == "true"
                case (.replace, "/validateRequestParameters"): found.validateRequestParameters = try operation.requiredValue() == "true"
                default: throw operation.unsupported()
                }
            }
            definition.restApi.requestValidators?[id] = found
            return found
        }
        return .json(validator(updated))
    }

    static func deleteValidator(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("requestvalidator_id")
        try change(call, target: "requestvalidators/\(id)") { definition in
            guard definition.restApi.requestValidators?[id] != nil else { throw ManagementError.notFound("Invalid Request Validator identifier specified") }
            definition.restApi.requestValidators?[id] = nil
            if definition.restApi.defaultRequestValidator == id { definition.restApi.defaultRequestValidator = nil }
            for index in definition.resources.indices {
                for verb in definition.resources[index].resourceMethods.keys where definition.resources[index].resourceMethods[verb]?.requestValidatorName == id {
                    definition.resources[index].resourceMethods[verb]?.requestValidatorName = nil
                }
            }
        }
        return .empty
    }

    // MARK: Authorizers

    static func authorizer(_ authorizer: Authorizer) -> DocValue {
        ManagementShapes.object([
            ("id", .string(authorizer.id)), ("name", .string(authorizer.name)), ("type", .string(authorizer.type)),
            ("providerARNs", authorizer.providerARNs.map(ManagementShapes.list)), ("authorizerUri", authorizer.authorizerUri.map(DocValue.string)),
            ("identitySource", authorizer.identitySource.map(DocValue.string)),
            ("identityValidationExpression", authorizer.identityValidationExpression.map(DocValue.string)),
            ("authorizerResultTtlInSeconds", authorizer.authorizerResultTtlInSeconds.map(DocValue.int)),
        ])
    }

    static func createAuthorizer(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let created = Authorizer(id: Authorizer.generateId(), name: try call.requiredString("name"), type: try call.requiredString("type"),
                                 identitySource: call.string("identitySource"), authorizerUri: call.string("authorizerUri"),
                                 authorizerResultTtlInSeconds: call.int("authorizerResultTtlInSeconds"),
                                 identityValidationExpression: call.string("identityValidationExpression"), providerARNs: call.strings("providerARNs"))
        if let problem = created.problem { throw ManagementError.badRequest(problem) }
        _ = try RestApiOperations.definition(call)
        return .json(authorizer(try call.store.createAuthorizer(apiId: call.variable("restapi_id"), created, actor: call.actor)))
    }

    static func findAuthorizer(_ definition: ApiDefinition, _ id: String) throws -> Authorizer {
        guard let found = definition.authorizers.first(where: { $0.id == id }) else { throw ManagementError.notFound("Invalid Authorizer identifier specified") }
        return found
    }

    static func getAuthorizer(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(authorizer(try findAuthorizer(try RestApiOperations.definition(call), call.variable("authorizer_id"))))
    }

    static func getAuthorizers(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(try call.page(try RestApiOperations.definition(call).authorizers.sorted { $0.name < $1.name }.map(authorizer)))
    }

    static func updateAuthorizer(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("authorizer_id"), operations = try call.patchOperations()
        let updated = try change(call, target: "authorizers/\(id)") { definition -> Authorizer in
            guard let index = definition.authorizers.firstIndex(where: { $0.id == id }) else { throw ManagementError.notFound("Invalid Authorizer identifier specified") }
            var found = definition.authorizers[index]
            for operation in operations {
                switch (operation.op, operation.path) {
                case (.replace, "/name"): found.name = try operation.requiredValue()
                case (.replace, "/authorizerUri"): found.authorizerUri = operation.value
                case (.replace, "/identitySource"): found.identitySource = operation.value
                case (.replace, "/identityValidationExpression"): found.identityValidationExpression = operation.value
                case (.replace, "/authorizerResultTtlInSeconds"): found.authorizerResultTtlInSeconds = operation.value.flatMap(Int.init)
                default: throw operation.unsupported()
                }
            }
            if let problem = found.problem { throw ManagementError.badRequest(problem) }
            definition.authorizers[index] = found
            return found
        }
        return .json(authorizer(updated))
    }

    static func deleteAuthorizer(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try call.store.deleteAuthorizer(apiId: call.variable("restapi_id"), id: call.variable("authorizer_id"), actor: call.actor)
        return .empty
    }

    // MARK: Tags (a RestApi's, by its ARN)

    /// The API an ARN names (`arn:aws:apigateway:REGION::/restapis/ID`); other resources have no tags here.
    static func taggedApi(_ call: ManagementCall) throws -> String {
        let arn = call.variable("resource_arn")
        guard let range = arn.range(of: "::/restapis/") else {
            throw ManagementError.badRequest("Gatehouse keeps tags on REST APIs only (arn:aws:apigateway:REGION::/restapis/ID), not on \(arn)")
        }
        let id = arn[range.upperBound...].split(separator: "/").first.map(String.init) ?? ""
        guard try call.store.definition(apiId: id) != nil else { throw ManagementError.notFound("Invalid API identifier specified \(id)") }
        return id
    }

    static func tag(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = try taggedApi(call), added = call.stringMap("tags") ?? [:]
        _ = try RestApiOperations.change(call, id: id, action: "TagResource", target: "restapis/\(id)") { definition in
            var tags = definition.restApi.tags ?? []
            for (name, value) in added.sorted(by: { $0.key < $1.key }) {
                if let index = tags.firstIndex(where: { $0.name == name }) { tags[index].value = value } else { tags.append(ApiTag(name: name, value: value)) }
            }
            definition.restApi.tags = tags
        }
        return .empty
    }

    static func untag(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = try taggedApi(call)
        let removed = Set(call.queryPairs.filter { $0.0 == "tagKeys" }.map(\.1))
        _ = try RestApiOperations.change(call, id: id, action: "UntagResource", target: "restapis/\(id)") { definition in
            definition.restApi.tags = definition.restApi.tags?.filter { !removed.contains($0.name) || $0.value == nil }
        }
        return .empty
    }

    static func tags(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = try taggedApi(call)
        let api = try call.store.definition(apiId: id)?.restApi
        return .json(.object([("tags", ManagementShapes.strings(api?.awsTags ?? [:]))]))
    }
}
