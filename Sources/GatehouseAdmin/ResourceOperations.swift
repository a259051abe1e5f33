import Foundation
import GatehouseCore
import GatehouseStore

/// Resource (`embed=methods`), Method, MethodResponse, Integration and IntegrationResponse: create/put, get,
/// update (patch) and delete, each a change to the API's draft (served after the next deployment, as AWS).
enum ResourceOperations {
    static let table: [String: ManagementAPI.Operation] = [
        "GetResources": resources, "GetResource": resource, "CreateResource": createResource, "UpdateResource": updateResource,
        "DeleteResource": deleteResource,
        "PutMethod": putMethod, "GetMethod": getMethod, "UpdateMethod": updateMethod, "DeleteMethod": deleteMethod,
        "PutMethodResponse": putMethodResponse, "GetMethodResponse": getMethodResponse, "UpdateMethodResponse": updateMethodResponse,
        "DeleteMethodResponse": deleteMethodResponse,
        "PutIntegration": putIntegration, "GetIntegration": getIntegration, "UpdateIntegration": updateIntegration,
        "DeleteIntegration": deleteIntegration,
        "PutIntegrationResponse": putIntegrationResponse, "GetIntegrationResponse": getIntegrationResponse,
        "UpdateIntegrationResponse": updateIntegrationResponse, "DeleteIntegrationResponse": deleteIntegrationResponse,
    ]

    // MARK: Resources

    static func resources(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let definition = try RestApiOperations.definition(call)
        let embed = (call.query["embed"] ?? "").split(separator: ",").contains("methods")
        let sorted = definition.resources.sorted { $0.path < $1.path }
        return .json(try call.page(sorted.map { ManagementShapes.resource($0, embedMethods: embed) }))
    }

    static func find(_ definition: ApiDefinition, _ id: String) throws -> Resource {
        guard let resource = definition.resources.first(where: { $0.id == id }) else {
            throw ManagementError.notFound("Invalid Resource identifier specified")
        }
        return resource
    }

    static func resource(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let embed = (call.query["embed"] ?? "").split(separator: ",").contains("methods")
        return .json(ManagementShapes.resource(try find(try RestApiOperations.definition(call), call.variable("resource_id")), embedMethods: embed))
    }

    /// Changes the API's draft through the store (AWS's NotFoundException for an unknown id), audited as the operation.
    static func change<T>(_ call: ManagementCall, target: String, _ body: (inout ApiDefinition) throws -> T) throws -> T {
        let id = call.variable("restapi_id")
        return try RestApiOperations.change(call, id: id, action: call.operation, target: "restapis/\(id)/\(target)", body)
    }

    static func createResource(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let pathPart = try call.requiredString("pathPart")
        let created = try change(call, target: "resources") { definition -> Resource in
            let parent = try find(definition, call.variable("parent_id"))
            let path = (parent.path == "/" ? "" : parent.path) + "/" + pathPart
            if let problem = PathSegment.validate(path) { throw ManagementError.badRequest("Resource's path part '\(pathPart)' is invalid: \(problem)") }
            guard !definition.resources.contains(where: { $0.path == path }) else {
                throw ManagementError.conflict("Another resource with the same parent already has this name: \(pathPart)")
            }
            let resource = Resource(id: Identifiers.make(), parentId: parent.id, pathPart: pathPart, path: path)
            definition.resources.append(resource)
            return resource
        }
        return .json(ManagementShapes.resource(created, embedMethods: false))
    }

    static func updateResource(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let operations = try call.patchOperations()
        let id = call.variable("resource_id")
        let updated = try change(call, target: "resources/\(id)") { definition -> Resource in
            guard let index = definition.resources.firstIndex(where: { $0.id == id }) else {
                throw ManagementError.notFound("Invalid Resource identifier specified")
            }
            for operation in operations {
                switch (operation.op, operation.segments.first ?? "") {
                case (.replace, "pathPart") where definition.resources[index].parentId != nil:
                    definition.resources[index].pathPart = try operation.requiredValue()
                case (.replace, "parentId") where definition.resources[index].parentId != nil:
                    let parent = try find(definition, try operation.requiredValue())
                    guard !descendants(of: id, in: definition).contains(parent.id), parent.id != id else {
                        throw ManagementError.badRequest("a resource cannot move under itself")
                    }
                    definition.resources[index].parentId = parent.id
                default:
                    throw operation.unsupported()
                }
            }
            try rebuildPaths(&definition)
            return definition.resources[index]
        }
        return .json(ManagementShapes.resource(updated, embedMethods: false))
    }

    /// Every resource under `id`, at any depth.
    static func descendants(of id: String, in definition: ApiDefinition) -> Set<String> {
        var found: Set<String> = []
        var frontier = [id]
        while let next = frontier.popLast() {
            for child in definition.resources where child.parentId == next && !found.contains(child.id) {
                found.insert(child.id)
                frontier.append(child.id)
            }
        }
        return found
    }

    /// Each resource's path from its parent's and its own part (after a part or a parent changed); two
    /// resources on one path are refused.
    static func rebuildPaths(_ definition: inout ApiDefinition) throws {
        let byId = Dictionary(uniqueKeysWithValues: definition.resources.map { ($0.id, $0) })
        func path(_ resource: Resource, depth: Int = 0) -> String {
            guard let parentId = resource.parentId, let parent = byId[parentId], depth < 200 else { return "/" }
            let base = path(parent, depth: depth + 1)
            return (base == "/" ? "" : base) + "/" + resource.pathPart
        }
        for index in definition.resources.indices {
            let rebuilt = path(definition.resources[index])
            if definition.resources[index].parentId != nil, let problem = PathSegment.validate(rebuilt) {
                throw ManagementError.badRequest("the path '\(rebuilt)' is invalid: \(problem)")
            }
            definition.resources[index].path = rebuilt
        }
        let paths = definition.resources.map(\.path)
        if Set(paths).count != paths.count { throw ManagementError.conflict("Another resource with the same parent already has this name") }
    }

    static func deleteResource(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("resource_id")
        try change(call, target: "resources/\(id)") { definition in
            let resource = try find(definition, id)
            guard resource.parentId != nil else { throw ManagementError.badRequest("Cannot delete root resource") }
            let removed = descendants(of: id, in: definition).union([id])
            definition.resources.removeAll { removed.contains($0.id) }
        }
        return .empty
    }

    // MARK: Methods

    /// The verb in the path, upper-cased; one API Gateway knows.
    static func verb(_ call: ManagementCall) throws -> String {
        let verb = call.variable("http_method").uppercased()
        guard Method.verbs.contains(verb) else { throw ManagementError.badRequest("Invalid HTTP method '\(verb)'") }
        return verb
    }

    static func method(_ call: ManagementCall, in definition: ApiDefinition) throws -> Method {
        guard let method = try find(definition, call.variable("resource_id")).resourceMethods[try verb(call)] else {
            throw ManagementError.notFound("Invalid Method identifier specified")
        }
        return method
    }

    /// Changes one method of the draft; `body` gets it (nil when the resource has none for the verb).
    static func changeMethod<T>(_ call: ManagementCall, _ body: (inout Method?) throws -> T) throws -> T {
        let resourceId = call.variable("resource_id"), verb = try verb(call)
        return try change(call, target: "resources/\(resourceId)/methods/\(verb)") { definition in
            guard let index = definition.resources.firstIndex(where: { $0.id == resourceId }) else {
                throw ManagementError.notFound("Invalid Resource identifier specified")
            }
            var method = definition.resources[index].resourceMethods[verb]
            let result = try body(&method)
            definition.resources[index].resourceMethods[verb] = method
            return result
        }
    }

    static func putMethod(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let authorizationType = try call.requiredString("authorizationType")
        guard ["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS", "JWT"].contains(authorizationType) else {
            throw ManagementError.badRequest("authorizationType must be NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS")
        }
        let verb = try verb(call)
        let put = try changeMethod(call) { method -> Method in
            guard method == nil else { throw ManagementError.conflict("Method already exists for this resource") }
            var created = Method(httpMethod: verb, authorizationType: authorizationType, apiKeyRequired: call.bool("apiKeyRequired") ?? false,
                                 operationName: call.string("operationName"), requestParameters: call.flagMap("requestParameters") ?? [:])
            created.authorizerId = call.string("authorizerId")
            created.requestModels = call.stringMap("requestModels")
            created.requestValidatorName = call.string("requestValidatorId")
            created.authorizationScopes = call.strings("authorizationScopes")
            method = created
            return created
        }
        return .json(ManagementShapes.method(put))
    }

    static func getMethod(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(ManagementShapes.method(try method(call, in: try RestApiOperations.definition(call))))
    }

    static func updateMethod(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let operations = try call.patchOperations()
        let updated = try changeMethod(call) { method -> Method in
            guard var changed = method else { throw ManagementError.notFound("Invalid Method identifier specified") }
            for operation in operations {
                let segments = operation.segments
                switch (operation.op, segments.first ?? "", segments.count) {
                case (.replace, "authorizationType", 1): changed.authorizationType = try operation.requiredValue()
                case (.replace, "authorizerId", 1): changed.authorizerId = operation.value.flatMap { $0.isEmpty ? nil : $0 }
                case (.replace, "apiKeyRequired", 1): changed.apiKeyRequired = try operation.requiredValue() == "true"
                case (.replace, "operationName", 1): changed.operationName = operation.value
                case (.replace, "requestValidatorId", 1): changed.requestValidatorName = operation.value.flatMap { $0.isEmpty ? nil : $0 }
                case (.add, "requestParameters", 2), (.replace, "requestParameters", 2):
                    changed.requestParameters[segments[1]] = (operation.value ?? "false") == "true"
                case (.remove, "requestParameters", 2): changed.requestParameters[segments[1]] = nil
                case (.add, "requestModels", 2), (.replace, "requestModels", 2):
                    changed.requestModels = (changed.requestModels ?? [:]).merging([segments[1]: try operation.requiredValue()]) { $1 }
                case (.remove, "requestModels", 2): changed.requestModels?[segments[1]] = nil
                case (.add, "authorizationScopes", 1): changed.authorizationScopes = (changed.authorizationScopes ?? []) + [try operation.requiredValue()]
                case (.remove, "authorizationScopes", 1): changed.authorizationScopes?.removeAll { $0 == operation.value }
                default: throw operation.unsupported()
                }
            }
            method = changed
            return changed
        }
        return .json(ManagementShapes.method(updated))
    }

    static func deleteMethod(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try changeMethod(call) { method in
            guard method != nil else { throw ManagementError.notFound("Invalid Method identifier specified") }
            method = nil
        }
        return .empty
    }

    // MARK: Method responses

    static func statusCode(_ call: ManagementCall) throws -> String {
        let code = call.variable("status_code")
        guard let number = Int(code), (100...599).contains(number) else { throw ManagementError.badRequest("Invalid status code '\(code)'") }
        return code
    }

    static func putMethodResponse(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let code = try statusCode(call)
        let response = MethodResponse(statusCode: code, responseParameters: call.flagMap("responseParameters") ?? [:],
                                      responseModels: call.stringMap("responseModels") ?? [:])
        try changeMethod(call) { method in
            guard var changed = method else { throw ManagementError.notFound("Invalid Method identifier specified") }
            changed.methodResponses = (changed.methodResponses ?? [:]).merging([code: response]) { $1 }
            method = changed
        }
        return .json(ManagementShapes.methodResponse(response))
    }

    static func getMethodResponse(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let method = try method(call, in: try RestApiOperations.definition(call))
        guard let response = method.methodResponses?[try statusCode(call)] else { throw ManagementError.notFound("Invalid Response status code specified") }
        return .json(ManagementShapes.methodResponse(response))
    }

    static func updateMethodResponse(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let code = try statusCode(call), operations = try call.patchOperations()
        let updated = try changeMethod(call) { method -> MethodResponse in
            guard var response = method?.methodResponses?[code] else { throw ManagementError.notFound("Invalid Response status code specified") }
            for operation in operations {
                let segments = operation.segments
                switch (operation.op, segments.first ?? "", segments.count) {
                case (.add, "responseParameters", 2), (.replace, "responseParameters", 2):
                    response.responseParameters[segments[1]] = (operation.value ?? "false") == "true"
                case (.remove, "responseParameters", 2): response.responseParameters[segments[1]] = nil
                case (.add, "responseModels", 2), (.replace, "responseModels", 2): response.responseModels[segments[1]] = try operation.requiredValue()
                case (.remove, "responseModels", 2): response.responseModels[segments[1]] = nil
                default: throw operation.unsupported()
                }
            }
            method?.methodResponses?[code] = response
            return response
        }
        return .json(ManagementShapes.methodResponse(updated))
    }

    static func deleteMethodResponse(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let code = try statusCode(call)
        try changeMethod(call) { method in
            guard method?.methodResponses?[code] != nil else { throw ManagementError.notFound("Invalid Response status code specified") }
            method?.methodResponses?[code] = nil
        }
        return .empty
    }

    // MARK: Integrations

    static func putIntegration(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        guard let type = IntegrationType(rawValue: try call.requiredString("type")) else {
            throw ManagementError.badRequest("type must be HTTP, HTTP_PROXY, MOCK, AWS or AWS_PROXY")
        }
        var integration = Integration(type: type, httpMethod: call.string("httpMethod"), uri: call.string("uri"),
                                      requestParameters: call.stringMap("requestParameters") ?? [:],
                                      requestTemplates: call.stringMap("requestTemplates") ?? [:],
                                      passthroughBehavior: call.string("passthroughBehavior"),
                                      timeoutInMillis: call.int("timeoutInMillis") ?? Integration.defaultTimeoutInMillis)
        integration.cacheKeyParameters = call.strings("cacheKeyParameters")
        integration.contentHandling = call.string("contentHandling")
        integration.insecureSkipVerification = (call.json["tlsConfig"] as? [String: Any])?["insecureSkipVerification"] as? Bool
        try check(integration)
        let put = try changeMethod(call) { method -> Integration in
            guard method != nil else { throw ManagementError.notFound("Invalid Method identifier specified") }
            // A put replaces the integration but keeps its responses, as AWS does.
            integration.integrationResponses = method?.methodIntegration?.integrationResponses ?? [:]
            method?.methodIntegration = integration
            return integration
        }
        return .json(ManagementShapes.integration(put))
    }

    /// What AWS refuses in an integration: an HTTP type without a uri, a timeout out of range, a template that
    /// does not parse, a passthrough behavior AWS does not have.
    static func check(_ integration: Integration) throws {
        if integration.type == .http || integration.type == .httpProxy {
            guard let uri = integration.uri, uri.hasPrefix("http://") || uri.hasPrefix("https://") else {
                throw ManagementError.badRequest("Invalid HTTP endpoint specified for URI: an \(integration.type.rawValue) integration needs an http(s):// uri")
            }
            guard let verb = integration.httpMethod, Method.verbs.contains(verb.uppercased()) else {
                throw ManagementError.badRequest("Enumeration value for HttpMethod must be non-empty: an \(integration.type.rawValue) integration needs httpMethod")
            }
        }
        guard Integration.timeoutRange.contains(integration.timeoutInMillis) else {
            throw ManagementError.badRequest("Timeout should be between 50 ms and 29000 ms")
        }
        if let behavior = integration.passthroughBehavior, PassthroughBehavior(rawValue: behavior.uppercased()) == nil {
            throw ManagementError.badRequest("passthroughBehavior must be WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER")
        }
        if let problem = integration.templateProblem() { throw ManagementError.badRequest("Invalid mapping expression specified: \(problem)") }
    }

    static func getIntegration(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        guard let integration = try method(call, in: try RestApiOperations.definition(call)).methodIntegration else {
            throw ManagementError.notFound("No integration defined for method")
        }
        return .json(ManagementShapes.integration(integration))
    }

    static func updateIntegration(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let operations = try call.patchOperations()
        let updated = try changeMethod(call) { method -> Integration in
            guard var integration = method?.methodIntegration else { throw ManagementError.notFound("No integration defined for method") }
            for operation in operations {
                let segments = operation.segments
                switch (operation.op, segments.first ?? "", segments.count) {
                case (.replace, "uri", 1): integration.uri = try operation.requiredValue()
                case (.replace, "httpMethod", 1): integration.httpMethod = try operation.requiredValue()
                case (.replace, "type", 1):
                    guard let type = IntegrationType(rawValue: try operation.requiredValue()) else { throw ManagementError.badRequest("unknown integration type") }
                    integration.type = type
                case (.replace, "timeoutInMillis", 1):
                    guard let timeout = Int(try operation.requiredValue()) else { throw ManagementError.badRequest("timeoutInMillis must be a number") }
                    integration.timeoutInMillis = timeout
                case (.replace, "passthroughBehavior", 1): integration.passthroughBehavior = operation.value
                case (.replace, "contentHandling", 1): integration.contentHandling = operation.value.flatMap { $0.isEmpty ? nil : $0 }
                case (.add, "requestParameters", 2), (.replace, "requestParameters", 2):
                    integration.requestParameters[segments[1]] = try operation.requiredValue()
                case (.remove, "requestParameters", 2): integration.requestParameters[segments[1]] = nil
                case (.add, "requestTemplates", 2), (.replace, "requestTemplates", 2):
                    integration.requestTemplates[segments[1]] = operation.value ?? ""
                case (.remove, "requestTemplates", 2): integration.requestTemplates[segments[1]] = nil
                case (.add, "cacheKeyParameters", 2): integration.cacheKeyParameters = (integration.cacheKeyParameters ?? []) + [segments[1]]
                case (.remove, "cacheKeyParameters", 2): integration.cacheKeyParameters?.removeAll { $0 == segments[1] }
                case (.replace, "tlsConfig", 2) where segments[1] == "insecureSkipVerification":
                    integration.insecureSkipVerification = try operation.requiredValue() == "true"
                default: throw operation.unsupported()
                }
            }
            try check(integration)
            method?.methodIntegration = integration
            return integration
        }
        return .json(ManagementShapes.integration(updated))
    }

    static func deleteIntegration(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try changeMethod(call) { method in
            guard method?.methodIntegration != nil else { throw ManagementError.notFound("No integration defined for method") }
            method?.methodIntegration = nil
        }
        return .empty
    }

    // MARK: Integration responses

    /// The key of an integration's response for a status code (its selection pattern, or `default`).
    static func responseKey(_ integration: Integration, _ code: String) -> String? {
        integration.integrationResponses.first { $0.value.statusCode == code }?.key
    }

    static func putIntegrationResponse(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let code = try statusCode(call)
        var response = IntegrationResponse(statusCode: code, selectionPattern: call.string("selectionPattern").flatMap { $0.isEmpty ? nil : $0 },
                                           responseParameters: call.stringMap("responseParameters") ?? [:],
                                           responseTemplates: call.stringMap("responseTemplates") ?? [:])
        response.contentHandling = call.string("contentHandling")
        if let pattern = response.selectionPattern, (try? NSRegularExpression(pattern: pattern)) == nil {
            throw ManagementError.badRequest("Invalid selection pattern specified: \(pattern)")
        }
        let put = try changeMethod(call) { method -> IntegrationResponse in
            guard var integration = method?.methodIntegration else { throw ManagementError.notFound("No integration defined for method") }
            if let key = responseKey(integration, code) { integration.integrationResponses[key] = nil }
            integration.integrationResponses[response.selectionPattern ?? "default"] = response
            try check(integration)
            method?.methodIntegration = integration
            return response
        }
        return .json(ManagementShapes.integrationResponse(put))
    }

    static func getIntegrationResponse(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let code = try statusCode(call)
        guard let integration = try method(call, in: try RestApiOperations.definition(call)).methodIntegration,
              let key = responseKey(integration, code), let response = integration.integrationResponses[key] else {
            throw ManagementError.notFound("Invalid Response status code specified")
        }
        return .json(ManagementShapes.integrationResponse(response))
    }

    static func updateIntegrationResponse(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let code = try statusCode(call), operations = try call.patchOperations()
        let updated = try changeMethod(call) { method -> IntegrationResponse in
            guard var integration = method?.methodIntegration, let key = responseKey(integration, code),
                  var response = integration.integrationResponses[key] else {
                throw ManagementError.notFound("Invalid Response status code specified")
            }
            for operation in operations {
                let segments = operation.segments
                switch (operation.op, segments.first ?? "", segments.count) {
                case (.replace, "selectionPattern", 1): response.selectionPattern = operation.value.flatMap { $0.isEmpty ? nil : $0 }
                case (.replace, "contentHandling", 1): response.contentHandling = operation.value.flatMap { $0.isEmpty ? nil : $0 }
                case (.add, "responseParameters", 2), (.replace, "responseParameters", 2):
                    response.responseParameters[segments[1]] = try operation.requiredValue()
                case (.remove, "responseParameters", 2): response.responseParameters[segments[1]] = nil
                case (.add, "responseTemplates", 2), (.replace, "responseTemplates", 2): response.responseTemplates[segments[1]] = operation.value ?? ""
                case (.remove, "responseTemplates", 2): response.responseTemplates[segments[1]] = nil
                default: throw operation.unsupported()
                }
            }
            integration.integrationResponses[key] = nil
            integration.integrationResponses[response.selectionPattern ?? "default"] = response
            try check(integration)
            method?.methodIntegration = integration
            return response
        }
        return .json(ManagementShapes.integrationResponse(updated))
    }

    static func deleteIntegrationResponse(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let code = try statusCode(call)
        try changeMethod(call) { method in
            guard var integration = method?.methodIntegration, let key = responseKey(integration, code) else {
                throw ManagementError.notFound("Invalid Response status code specified")
            }
            integration.integrationResponses[key] = nil
            method?.methodIntegration = integration
        }
        return .empty
    }
}
