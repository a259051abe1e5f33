import Foundation

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
            var server: [(String, DocValue)] = []
            if let basePath = stageName.map({ "/" + $0 }) ?? api.basePath { server.append(("url", .string(basePath))) }
            if let type = api.endpointType, !server.isEmpty {
                server.append(("x-amazon-apigateway-endpoint-configuration", .object([("types", .array([.string(type.rawValue)]))])))
            }
            if !server.isEmpty { top.append(("servers", .array([.object(server)]))) }
        case .swagger:
            top.append(("swagger", .string("2.0")))
            top.append(("info", .object(info)))
            if let basePath = stageName.map({ "/" + $0 }) ?? api.basePath { top.append(("basePath", .string(basePath))) }
            top.append(("schemes", .array([.string("http")])))
        }
        var paths: [(String, DocValue)] = []
        var used: Set<String> = []
        for resource in definition.resources where !resource.resourceMethods.isEmpty {
            var operations: [(String, DocValue)] = []
            for verb in Method.verbs {
                guard let method = resource.resourceMethods[verb] else { continue }
                let key = verb == "ANY" ? "x-amazon-apigateway-any-method" : verb.lowercased()
                let requirement = security(of: method, in: definition)
                used.formUnion(requirement.map(\.0))
                operations.append((key, operation(method, security: requirement, format: format)))
            }
            paths.append((resource.path, .object(operations)))
        }
        if let tags = api.tags, !tags.isEmpty {
            top.append(("tags", .array(tags.map { tag in
                var fields: [(String, DocValue)] = [("name", .string(tag.name))]
                if let description = tag.description { fields.append(("description", .string(description))) }
                if let value = tag.value { fields.append(("x-amazon-apigateway-tag-value", .string(value))) }
                return .object(fields)
            })))
        }
        top.append(("paths", .object(paths)))
        // Every scheme a method uses, so that a guarded method is guarded again when the export is imported.
        let schemes = securitySchemes(definition).filter { used.contains($0.0) }
        let models = models(api, format: format)
        switch format {
        case .oas30:
            var components: [(String, DocValue)] = []
            if !models.isEmpty { components.append(("schemas", .object(models))) }
            if !schemes.isEmpty { components.append(("securitySchemes", .object(schemes))) }
            if !components.isEmpty { top.append(("components", .object(components))) }
        case .swagger:
            if !models.isEmpty { top.append(("definitions", .object(models))) }
            if !schemes.isEmpty { top.append(("securityDefinitions", .object(schemes))) }
        }
        top.append(("x-amazon-apigateway-api-key-source", .string(api.apiKeySource.rawValue)))
        if format == .swagger || (stageName == nil && api.basePath == nil), let type = api.endpointType {
            top.append(("x-amazon-apigateway-endpoint-configuration", .object([("types", .array([.string(type.rawValue)]))])))
        }
        if let policy = api.policy, let object = try? JSONSerialization.jsonObject(with: Data(policy.utf8)) {
            top.append(("x-amazon-apigateway-policy", DocValue.from(json: object)))
        }
        if let validators = api.requestValidators, !validators.isEmpty {
            top.append(("x-amazon-apigateway-request-validators", .object(validators.keys.sorted().compactMap { name in
                validators[name].map { (name, .object([("validateRequestBody", .bool($0.validateRequestBody)),
                                                       ("validateRequestParameters", .bool($0.validateRequestParameters))])) }
            })))
        }
        if let chosen = api.defaultRequestValidator { top.append(("x-amazon-apigateway-request-validator", .string(chosen))) }
        if let types = api.binaryMediaTypes { top.append(("x-amazon-apigateway-binary-media-types", .array(types.map { .string($0) }))) }
        if let size = api.minimumCompressionSize { top.append(("x-amazon-apigateway-minimum-compression-size", .int(size))) }
        if let documentation = api.documentation {
            var fields: [(String, DocValue)] = []
            if let version = documentation.version { fields.append(("version", .string(version))) }
            fields.append(("documentationParts", .array(documentation.parts.map { part in
                var location: [(String, DocValue)] = [("type", .string(part.location.type))]
                for (key, value) in [("path", part.location.path), ("method", part.location.method), ("statusCode", part.location.statusCode),
                                     ("name", part.location.name)] {
                    if let value { location.append((key, .string(value))) }
                }
                let properties = (try? JSONSerialization.jsonObject(with: Data(part.properties.utf8))).map(DocValue.from(json:)) ?? .object([])
                return .object([("location", .object(location)), ("properties", properties)])
            })))
            top.append(("x-amazon-apigateway-documentation", .object(fields)))
        }
        if let responses = api.gatewayResponses, !responses.isEmpty {
            top.append(("x-amazon-apigateway-gateway-responses", .object(responses.keys.sorted().compactMap { type in
                guard let setting = responses[type] else { return nil }
                var fields: [(String, DocValue)] = []
                if let status = setting.statusCode { fields.append(("statusCode", .string(status))) }
                if !setting.responseParameters.isEmpty { fields.append(("responseParameters", map(setting.responseParameters))) }
                if !setting.responseTemplates.isEmpty { fields.append(("responseTemplates", map(setting.responseTemplates))) }
                return (type, .object(fields))
            })))
        }
        return .object(top)
    }

    /// The scheme a method's API key requirement exports as.
    static let apiKeyScheme = "api_key"
    /// The scheme AWS_IAM methods export as (`x-amazon-apigateway-authtype: awsSigv4`).
    static let sigV4Scheme = "sigv4"
    /// A method typed as guarded by an authorizer the API does not define (imported from a scheme AWS does not
    /// know): exported under this scheme so that it is imported guarded again, never open.
    static let unresolvedScheme = "unresolved_authorizer"

    /// The security requirement of a method: scheme names and scopes.
    static func security(of method: Method, in definition: ApiDefinition) -> [(String, [String])] {
        var requirement: [(String, [String])] = []
        if method.apiKeyRequired { requirement.append((apiKeyScheme, [])) }
        switch method.authorizationType.uppercased() {
        case "NONE": break
        case "AWS_IAM": requirement.append((sigV4Scheme, []))
        default:
            let name = definition.authorizer(id: method.authorizerId)?.name ?? unresolvedScheme
            requirement.append((name, method.authorizationScopes ?? []))
        }
        return requirement
    }

    /// Every scheme the API can use: the key, SigV4, each authorizer (AWS's shapes), and the unresolved one.
    static func securitySchemes(_ definition: ApiDefinition) -> [(String, DocValue)] {
        func header(_ name: String) -> [(String, DocValue)] { [("type", .string("apiKey")), ("name", .string(name)), ("in", .string("header"))] }
        var schemes: [(String, DocValue)] = [
            (apiKeyScheme, .object(header("x-api-key"))),
            (sigV4Scheme, .object(header("Authorization") + [("x-amazon-apigateway-authtype", .string("awsSigv4"))])),
        ]
        for authorizer in definition.authorizers {
            var fields: [(String, DocValue)] = [("type", .string(authorizer.type.lowercased()))]
            if let source = authorizer.identitySource { fields.append(("identitySource", .string(source))) }
            if let jwt = authorizer.jwtConfiguration {
                fields.append(("jwtConfiguration", .object([("issuer", .string(jwt.issuer)), ("audience", .array(jwt.audience.map { .string($0) }))])))
            }
            if let uri = authorizer.jwksUri { fields.append(("jwksUri", .string(uri))) }
            if let uri = authorizer.authorizerUri { fields.append(("authorizerUri", .string(uri))) }
            if let ttl = authorizer.authorizerResultTtlInSeconds { fields.append(("authorizerResultTtlInSeconds", .int(ttl))) }
            if let expression = authorizer.identityValidationExpression { fields.append(("identityValidationExpression", .string(expression))) }
            if let arns = authorizer.providerARNs { fields.append(("providerARNs", .array(arns.map { .string($0) }))) }
            let authType = authorizer.type.uppercased() == "COGNITO_USER_POOLS" ? "cognito_user_pools" : authorizer.type.uppercased() == "JWT" ? "jwt" : "custom"
            schemes.append((authorizer.name, .object(header(authorizer.identityHeader) + [("x-amazon-apigateway-authtype", .string(authType)),
                                                                                          ("x-amazon-apigateway-authorizer", .object(fields))])))
        }
        schemes.append((unresolvedScheme, .object(header("Authorization") + [("x-amazon-apigateway-authtype", .string("custom"))])))
        return schemes
    }

    static func operation(_ method: Method, security: [(String, [String])], format: Format) -> DocValue {
        var op: [(String, DocValue)] = []
        if let tags = method.tags, !tags.isEmpty { op.append(("tags", .array(tags.map { .string($0) }))) }
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
        var allParameters = parameters
        if let models = method.requestModels, !models.isEmpty, format == .swagger, let name = models.values.sorted().first {
            var body: [(String, DocValue)] = [("in", .string("body")), ("name", .string(name)), ("schema", modelRef(name, format))]
            if method.requestBodyRequired == true { body.insert(("required", .bool(true)), at: 2) }
            allParameters.append(.object(body))
            op.insert(("consumes", .array(models.keys.sorted().map { .string($0) })), at: 0)
        }
        if !allParameters.isEmpty { op.append(("parameters", .array(allParameters))) }
        if let models = method.requestModels, !models.isEmpty, format == .oas30 {
            var body: [(String, DocValue)] = [("content", .object(models.keys.sorted().map { ($0, .object([("schema", modelRef(models[$0] ?? "", format))])) }))]
            if method.requestBodyRequired == true { body.append(("required", .bool(true))) }
            op.append(("requestBody", .object(body)))
        }
        let declared = method.methodResponses ?? method.derivedResponses
        do {
            if format == .swagger, let types = Set(declared.values.flatMap(\.responseModels.keys)).sorted() as [String]?, !types.isEmpty {
                op.insert(("produces", .array(types.map { .string($0) })), at: 0)
            }
            op.append(("responses", .object(declared.keys.sorted().compactMap { status in
                declared[status].map { (status, response($0, format: format)) }
            })))
        }
        if !security.isEmpty {
            op.append(("security", .array([.object(security.map { ($0.0, DocValue.array($0.1.map { .string($0) })) })])))
        }
        if let validator = method.requestValidatorName { op.append(("x-amazon-apigateway-request-validator", .string(validator))) }
        if let integration = method.methodIntegration { op.append(("x-amazon-apigateway-integration", self.integration(integration))) }
        return .object(op)
    }

    /// A declared response: its description, headers and models.
    static func response(_ response: MethodResponse, format: Format) -> DocValue {
        var fields: [(String, DocValue)] = [("description", .string(response.description ?? "\(response.statusCode) response"))]
        let prefix = "method.response.header."
        let headers: [(String, DocValue)] = response.responseParameters.keys.sorted().filter { $0.hasPrefix(prefix) }.map { key in
            var header: [(String, DocValue)] = format == .oas30 ? [("schema", .object([("type", .string("string"))]))] : [("type", .string("string"))]
            if response.responseParameters[key] == true { header.insert(("required", .bool(true)), at: 0) }
            return (String(key.dropFirst(prefix.count)), .object(header))
        }
        if !headers.isEmpty { fields.append(("headers", .object(headers))) }
        if !response.responseModels.isEmpty {
            switch format {
            case .oas30:
                fields.append(("content", .object(response.responseModels.keys.sorted().map { ($0, .object([("schema", modelRef(response.responseModels[$0] ?? "", format))])) })))
            case .swagger:
                if let name = response.responseModels.values.sorted().first { fields.append(("schema", modelRef(name, format))) }
            }
        }
        return .object(fields)
    }

    /// A `$ref` to a model in the dialect's place for models.
    static func modelRef(_ name: String, _ format: Format) -> DocValue {
        .object([("$ref", .string((format == .oas30 ? "#/components/schemas/" : "#/definitions/") + name))])
    }

    /// The API's models as schemas, their references written for the dialect.
    static func models(_ api: RestApi, format: Format) -> [(String, DocValue)] {
        (api.models ?? [:]).keys.sorted().compactMap { name in
            guard var text = api.models?[name] else { return nil }
            if format == .swagger { text = text.replacingOccurrences(of: "\"#/components/schemas/", with: "\"#/definitions/") }
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return nil }
            return (name, DocValue.from(json: object))
        }
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
        if let handling = integration.contentHandling { fields.append(("contentHandling", .string(handling))) }
        if let skip = integration.insecureSkipVerification { fields.append(("tlsConfig", .object([("insecureSkipVerification", .bool(skip))]))) }
        if !integration.integrationResponses.isEmpty {
            let responses = integration.integrationResponses.keys.sorted().compactMap { key -> (String, DocValue)? in
                guard let response = integration.integrationResponses[key] else { return nil }
                var r: [(String, DocValue)] = [("statusCode", .string(response.statusCode))]
                if !response.responseParameters.isEmpty { r.append(("responseParameters", map(response.responseParameters))) }
                if !response.responseTemplates.isEmpty { r.append(("responseTemplates", map(response.responseTemplates))) }
                if let handling = response.contentHandling { r.append(("contentHandling", .string(handling))) }
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
