/// Writes an `ApiDefinition` back as OpenAPI 3.0 or Swagger 2.0 with the `x-amazon-apigateway-*` extensions,
/// so that import → export → import gives the same API.
public enum OpenAPIExporter {
    /// The document flavours an export can take.
    public enum Format: String, Sendable, CaseIterable {
        case oas30
        case swagger
    }

    public static func document(_ definition: ApiDefinition, stageName: String?, format: Format) -> DocValue {
        let api = definition.restApi
        var top: [(String, DocValue)] = []
        var info: [(String, DocValue)] = [("title", .string(api.name))]
        if let description = api.description { info.append(("description", .string(description))) }
        info.append(("version", .string(api.version ?? "1.0")))
        switch format {
        case .oas30:
            top.append(("openapi", .string("3.0.1")))
            top.append(("info", .object(info)))
            if let stageName { top.append(("servers", .array([.object([("url", .string("/\(stageName)"))])]))) }
        case .swagger:
            top.append(("swagger", .string("2.0")))
            top.append(("info", .object(info)))
            if let stageName { top.append(("basePath", .string("/\(stageName)"))) }
            top.append(("schemes", .array([.string("http")])))
        }
        var paths: [(String, DocValue)] = []
        var needsKey = false
        for resource in definition.resources where !resource.resourceMethods.isEmpty {
            var operations: [(String, DocValue)] = []
            for verb in Method.verbs {
                guard let method = resource.resourceMethods[verb] else { continue }
                needsKey = needsKey || method.apiKeyRequired
                let key = verb == "ANY" ? "x-amazon-apigateway-any-method" : verb.lowercased()
                operations.append((key, operation(method, format: format)))
            }
            paths.append((resource.path, .object(operations)))
        }
        top.append(("paths", .object(paths)))
        let keyScheme = DocValue.object([("type", .string("apiKey")), ("name", .string("x-api-key")), ("in", .string("header"))])
        if needsKey {
            switch format {
            case .oas30: top.append(("components", .object([("securitySchemes", .object([("api_key", keyScheme)]))])))
            case .swagger: top.append(("securityDefinitions", .object([("api_key", keyScheme)])))
            }
        }
        top.append(("x-amazon-apigateway-api-key-source", .string(api.apiKeySource.rawValue)))
        return .object(top)
    }

    static func operation(_ method: Method, format: Format) -> DocValue {
        var op: [(String, DocValue)] = []
        if let name = method.operationName { op.append(("operationId", .string(name))) }
        let parameters: [DocValue] = method.requestParameters.keys.sorted().compactMap { key in
            let parts = key.split(separator: ".", maxSplits: 3).map(String.init)
            guard parts.count == 4 else { return nil }
            let location = parts[2] == "querystring" ? "query" : parts[2]
            var p: [(String, DocValue)] = [("name", .string(parts[3])), ("in", .string(location)),
                                           ("required", .bool(method.requestParameters[key] ?? false))]
            switch format {
            case .oas30: p.append(("schema", .object([("type", .string("string"))])))
            case .swagger: p.append(("type", .string("string")))
            }
            return .object(p)
        }
        if !parameters.isEmpty { op.append(("parameters", .array(parameters))) }
        let statuses = Set(method.methodIntegration?.integrationResponses.values.map(\.statusCode) ?? []).sorted()
        let responses = (statuses.isEmpty ? ["200"] : statuses).map { ($0, DocValue.object([("description", .string("\($0) response"))])) }
        op.append(("responses", .object(responses)))
        if method.apiKeyRequired { op.append(("security", .array([.object([("api_key", .array([]))])]))) }
        if let integration = method.methodIntegration { op.append(("x-amazon-apigateway-integration", self.integration(integration))) }
        return .object(op)
    }

    static func integration(_ integration: Integration) -> DocValue {
        var fields: [(String, DocValue)] = [("type", .string(integration.type.rawValue.lowercased()))]
        if let method = integration.httpMethod { fields.append(("httpMethod", .string(method))) }
        if let uri = integration.uri { fields.append(("uri", .string(uri))) }
        if !integration.requestParameters.isEmpty { fields.append(("requestParameters", map(integration.requestParameters))) }
        if !integration.requestTemplates.isEmpty { fields.append(("requestTemplates", map(integration.requestTemplates))) }
        if let passthrough = integration.passthroughBehavior { fields.append(("passthroughBehavior", .string(passthrough))) }
        fields.append(("timeoutInMillis", .int(integration.timeoutInMillis)))
        if let keys = integration.cacheKeyParameters, !keys.isEmpty { fields.append(("cacheKeyParameters", .array(keys.map { .string($0) }))) }
        if !integration.integrationResponses.isEmpty {
            let responses = integration.integrationResponses.keys.sorted().compactMap { key -> (String, DocValue)? in
                guard let response = integration.integrationResponses[key] else { return nil }
                var r: [(String, DocValue)] = [("statusCode", .string(response.statusCode))]
                if !response.responseParameters.isEmpty { r.append(("responseParameters", map(response.responseParameters))) }
                if !response.responseTemplates.isEmpty { r.append(("responseTemplates", map(response.responseTemplates))) }
                return (key, .object(r))
            }
            fields.append(("responses", .object(responses)))
        }
        return .object(fields)
    }

    static func map(_ dictionary: [String: String]) -> DocValue {
        .object(dictionary.keys.sorted().map { ($0, .string(dictionary[$0] ?? "")) })
    }
}
