import Foundation

extension OpenAPIImporter {
    /// Walks the document, collecting the API and every error and warning on the way.
    struct Reader {
        let root: DocumentNode
        let dialect: Dialect
        let apiId: String
        let now: Date
        var errors: [ImportDiagnostic] = []
        var warnings: [ImportDiagnostic] = []
        /// Authorizers from the security schemes that carry `x-amazon-apigateway-authorizer`, by scheme name.
        var authorizers: [String: Authorizer] = [:]
        /// The names in `x-amazon-apigateway-request-validators`, which operations may name.
        var requestValidatorNames: Set<String> = []

        init(root: DocumentNode, dialect: Dialect, apiId: String, now: Date) {
            self.root = root
            self.dialect = dialect
            self.apiId = apiId
            self.now = now
        }

        mutating func read() -> ApiDefinition {
            let info = root.child("info")
            let title = info?.child("title")?.scalar ?? ""
            if title.isEmpty { errors.append((info ?? root).diagnostic("info.title is required: it names the API")) }
            var keySource = ApiKeySource.header
            if let source = root.child("x-amazon-apigateway-api-key-source") {
                if let parsed = ApiKeySource(rawValue: (source.scalar ?? "").uppercased()) {
                    keySource = parsed
                } else {
                    errors.append(source.diagnostic("must be HEADER or AUTHORIZER"))
                }
            }
            warnUnsupportedExtensions(in: root)
            readAuthorizers()
            var restApi = RestApi(id: apiId, name: title, description: info?.child("description")?.scalar,
                                  version: info?.child("version")?.scalar, apiKeySource: keySource, createdDate: now)
            if let policy = root.child("x-amazon-apigateway-policy") {
                // Kept as the JSON document AWS stores; checked now, so a broken policy is never half-served.
                if let data = try? JSONSerialization.data(withJSONObject: policy.plainValue, options: [.sortedKeys, .withoutEscapingSlashes]) {
                    let document = String(decoding: data, as: UTF8.self)
                    do {
                        _ = try ResourcePolicy.parse(document, apiId: apiId)
                        restApi.policy = document
                    } catch {
                        errors.append(policy.diagnostic("the resource policy cannot be used: \(error.description)"))
                    }
                } else {
                    errors.append(policy.diagnostic("the resource policy must be an object (an IAM policy document)"))
                }
            }
            if let responses = root.child("x-amazon-apigateway-gateway-responses") {
                restApi.gatewayResponses = readGatewayResponses(responses)
            }
            restApi.models = readModels()
            if let types = root.child("x-amazon-apigateway-binary-media-types") {
                if let list = types.elements?.compactMap(\.scalar) { restApi.binaryMediaTypes = list } else {
                    errors.append(types.diagnostic("x-amazon-apigateway-binary-media-types must be a list of content types"))
                }
            }
            if let size = root.child("x-amazon-apigateway-minimum-compression-size") {
                if let bytes = size.scalar.flatMap(Int.init), (0...10_485_760).contains(bytes) { restApi.minimumCompressionSize = bytes } else {
                    errors.append(size.diagnostic("x-amazon-apigateway-minimum-compression-size must be a whole number from 0 to 10485760"))
                }
            }
            if let documentation = root.child("x-amazon-apigateway-documentation") { restApi.documentation = readDocumentation(documentation) }
            restApi.tags = readTags(root.child("tags"))
            restApi.basePath = readBasePath()
            // Swagger keeps the endpoint configuration at the top, OAS 3 in the first server.
            if let configuration = root.child("x-amazon-apigateway-endpoint-configuration")
                ?? root.child("servers")?.elements?.first?.child("x-amazon-apigateway-endpoint-configuration") {
                restApi.endpointType = readEndpointConfiguration(configuration)
            }
            if let validators = root.child("x-amazon-apigateway-request-validators") {
                var read: [String: RequestValidator] = [:]
                for (name, node) in validators.entries ?? [] {
                    func flag(_ key: String) -> Bool {
                        guard let value = node.child(key) else { return false }
                        if value.scalar == "true" { return true }
                        if value.scalar != "false" { errors.append(value.diagnostic("\(key) must be true or false")) }
                        return false
                    }
                    read[name] = RequestValidator(name: name, validateRequestBody: flag("validateRequestBody"),
                                                  validateRequestParameters: flag("validateRequestParameters"))
                }
                if validators.entries == nil { errors.append(validators.diagnostic("x-amazon-apigateway-request-validators must be a mapping of name to validator")) }
                restApi.requestValidators = read.isEmpty ? nil : read
                requestValidatorNames = Set(read.keys)
            }
            restApi.defaultRequestValidator = validatorName(root, unknown: "no default validator until it is defined")

            var resourcesByPath: [String: Resource] = ["/": Resource(id: Identifiers.make(), parentId: nil, pathPart: "", path: "/")]
            guard let paths = root.child("paths") else {
                errors.append(root.diagnostic("'paths' is required"))
                return ApiDefinition(restApi: restApi, resources: Array(resourcesByPath.values), authorizers: Array(authorizers.values))
            }
            for (path, item) in paths.entries ?? [] {
                if path.hasPrefix("x-") { warnUnsupported(item, name: path); continue }
                if let problem = PathSegment.validate(path) {
                    errors.append(item.diagnostic("invalid resource path '\(path)': \(problem)"))
                    continue
                }
                ensureResource(path: path, in: &resourcesByPath)
                let shared = item.child("parameters")
                for (key, operation) in item.entries ?? [] {
                    if let verb = OpenAPIImporter.operationKeys[key] {
                        let method = readMethod(verb: verb, operation: operation, sharedParameters: shared)
                        resourcesByPath[path]?.resourceMethods[verb] = method
                    } else if key.hasPrefix("x-amazon-apigateway") {
                        warnUnsupported(operation, name: key)
                    } else if key == "trace" {
                        warnings.append(operation.diagnostic("TRACE is not a method API Gateway supports; skipped"))
                    }
                }
            }
            return ApiDefinition(restApi: restApi, resources: Array(resourcesByPath.values), authorizers: Array(authorizers.values))
        }

        /// `x-amazon-apigateway-gateway-responses`: response type → `statusCode`, `responseParameters`,
        /// `responseTemplates`, each checked (a type AWS does not have, a bad status or header source is an error).
        mutating func readGatewayResponses(_ node: DocumentNode) -> [String: GatewayResponseSetting]? {
            guard let entries = node.entries else {
                errors.append(node.diagnostic("x-amazon-apigateway-gateway-responses must be a mapping of response type to response"))
                return nil
            }
            var settings: [String: GatewayResponseSetting] = [:]
            for (type, value) in entries {
                let setting = GatewayResponseSetting(responseType: type, statusCode: value.child("statusCode")?.scalar,
                                                     responseParameters: stringMap(value.child("responseParameters")),
                                                     responseTemplates: stringMap(value.child("responseTemplates")))
                if let problem = setting.problem {
                    errors.append(value.diagnostic(problem))
                    continue
                }
                checkTemplates(value.child("responseTemplates"), role: "\(type) gateway response")
                settings[type] = setting
            }
            return settings.isEmpty ? nil : settings
        }

        /// The request validator `node` names (`x-amazon-apigateway-request-validator`) when the document defines it; a
        /// name it does not define is a warning saying what that means.
        mutating func validatorName(_ node: DocumentNode, unknown consequence: String) -> String? {
            guard let chosen = node.child("x-amazon-apigateway-request-validator") else { return nil }
            if let name = chosen.scalar, requestValidatorNames.contains(name) { return name }
            warnings.append(chosen.diagnostic("request validator '\(chosen.scalar ?? "")' is not in x-amazon-apigateway-request-validators: \(consequence)"))
            return nil
        }

        /// Every security scheme with `x-amazon-apigateway-authorizer` becomes an authorizer of the API, as AWS's
        /// importer makes them: `jwt` (HTTP APIs' shape: `jwtConfiguration.issuer` and `audience`, `identitySource`;
        /// Gatehouse also reads `jwksUri`), `token` and `request` (custom, over `authorizerUri`), `cognito_user_pools`.
        mutating func readAuthorizers() {
            let schemes = dialect == .swagger2 ? root.child("securityDefinitions") : root.child("components")?.child("securitySchemes")
            for (name, scheme) in schemes?.entries ?? [] {
                guard let extensionNode = scheme.child("x-amazon-apigateway-authorizer") else { continue }
                let kind = (extensionNode.child("type")?.scalar ?? "").lowercased()
                var authorizer = Authorizer(id: Authorizer.generateId(), name: name, type: "")
                authorizer.identitySource = extensionNode.child("identitySource")?.scalar
                    ?? extensionNode.child("identitySource")?.elements?.compactMap(\.scalar).joined(separator: ",")
                authorizer.authorizerUri = extensionNode.child("authorizerUri")?.scalar
                authorizer.authorizerResultTtlInSeconds = extensionNode.child("authorizerResultTtlInSeconds")?.scalar.flatMap { Int($0) }
                authorizer.identityValidationExpression = extensionNode.child("identityValidationExpression")?.scalar
                switch kind {
                case "jwt":
                    authorizer.type = "JWT"
                    let configuration = extensionNode.child("jwtConfiguration")
                    let audience = configuration?.child("audience")
                    authorizer.jwtConfiguration = .init(issuer: configuration?.child("issuer")?.scalar ?? "",
                                                        audience: audience?.elements?.compactMap(\.scalar) ?? audience?.scalar.map { [$0] } ?? [])
                    authorizer.jwksUri = extensionNode.child("jwksUri")?.scalar
                case "token": authorizer.type = "TOKEN"
                case "request": authorizer.type = "REQUEST"
                case "cognito_user_pools":
                    authorizer.type = "COGNITO_USER_POOLS"
                    authorizer.providerARNs = extensionNode.child("providerARNs")?.elements?.compactMap(\.scalar)
                default:
                    errors.append(extensionNode.diagnostic("authorizer type '\(kind)' is not one of jwt, token, request or cognito_user_pools"))
                    continue
                }
                if authorizer.type == "JWT", let problem = authorizer.problem {
                    errors.append(extensionNode.diagnostic(problem))
                    continue
                }
                authorizers[name] = authorizer
            }
        }

        mutating func ensureResource(path: String, in resources: inout [String: Resource]) {
            var parentPath = "/"
            var current = ""
            for part in path.split(separator: "/") {
                current += "/" + part
                if resources[current] == nil {
                    resources[current] = Resource(id: Identifiers.make(), parentId: resources[parentPath]?.id,
                                                  pathPart: String(part), path: current)
                }
                parentPath = current
            }
        }

        mutating func readMethod(verb: String, operation: DocumentNode, sharedParameters: DocumentNode?) -> Method {
            var method = Method(httpMethod: verb)
            method.operationName = operation.child("operationId")?.scalar
            if let tags = operation.child("tags") {
                if let names = tags.elements?.compactMap(\.scalar) { method.tags = names.isEmpty ? nil : names } else {
                    errors.append(tags.diagnostic("an operation's tags must be a list of names"))
                }
            }
            for parameter in (sharedParameters?.elements ?? []) + (operation.child("parameters")?.elements ?? []) {
                let resolved = resolveReference(parameter)
                guard let name = resolved.child("name")?.scalar, let location = resolved.child("in")?.scalar else { continue }
                let awsLocation: String
                switch location {
                case "path": awsLocation = "path"
                case "query": awsLocation = "querystring"
                case "header": awsLocation = "header"
                default: continue
                }
                let required = resolved.child("required")?.scalar == "true" || location == "path"
                method.requestParameters["method.request.\(awsLocation).\(name)"] = required
            }
            readResponsesAndBody(operation, into: &method, sharedParameters: sharedParameters)
            if let security = operation.child("security") ?? root.child("security") {
                let guarded = readSecurity(security)
                method.apiKeyRequired = guarded.apiKey
                if let type = guarded.authorizationType { method.authorizationType = type }
                method.authorizerId = guarded.authorizer?.id
                method.authorizationScopes = guarded.scopes.isEmpty ? nil : guarded.scopes
            }
            // `x-amazon-apigateway-auth` (AWS_IAM or NONE) names the authorization type outright.
            if let auth = operation.child("x-amazon-apigateway-auth") {
                switch auth.child("type")?.scalar?.uppercased() {
                case "AWS_IAM": method.authorizationType = "AWS_IAM"
                case "NONE": method.authorizationType = "NONE"
                default: errors.append(auth.diagnostic("x-amazon-apigateway-auth type must be AWS_IAM or NONE"))
                }
            }
            method.requestValidatorName = validatorName(operation, unknown: "nothing is validated for this method until it is defined")
            for (key, value) in operation.entries ?? [] where key.hasPrefix("x-amazon-apigateway")
                && !["x-amazon-apigateway-integration", "x-amazon-apigateway-request-validator", "x-amazon-apigateway-auth"].contains(key) {
                warnUnsupported(value, name: key)
            }
            if let integration = operation.child("x-amazon-apigateway-integration") {
                // A `$ref` (usually into `components.x-amazon-apigateway-integrations`) is followed, as AWS does.
                let resolved = resolveReference(integration)
                if integration.child("$ref") != nil, resolved.child("$ref") != nil || resolved.entries == nil {
                    errors.append(integration.diagnostic("'$ref' \(integration.child("$ref")?.scalar ?? "") does not lead to an integration in this document"))
                    return method
                }
                method.methodIntegration = readIntegration(resolved, verb: verb)
                if method.methodResponses == nil { method.methodResponses = method.derivedResponses }
            } else {
                warnings.append(operation.diagnostic("no x-amazon-apigateway-integration: \(verb) answers 500 until it has one"))
            }
            return method
        }

        /// What a security requirement asks for: an `apiKey` scheme in the `x-api-key` header is an API key;
        /// any other scheme is an authorizer, typed as AWS's importer types it (`x-amazon-apigateway-authtype`
        /// `awsSigv4` → AWS_IAM, verified here; a `cognito_user_pools` authorizer → COGNITO_USER_POOLS, else CUSTOM),
        /// so the method stays guarded: deploy refuses what this build cannot enforce instead of serving it open.
        mutating func readSecurity(_ security: DocumentNode) -> (apiKey: Bool, authorizationType: String?, authorizer: Authorizer?, scopes: [String]) {
            let schemes = dialect == .swagger2 ? root.child("securityDefinitions")
                                               : root.child("components")?.child("securitySchemes")
            var apiKey = false
            var authorization: String?
            var guardedBy: Authorizer?
            var scopes: [String] = []
            for requirement in security.elements ?? [] {
                for (name, requested) in requirement.entries ?? [] {
                    guard let scheme = schemes?.child(name) else {
                        // AWS imports such a method without that requirement (authorization NONE); so does this, loudly.
                        warnings.append(requirement.diagnostic("security scheme '\(name)' is not defined, so it guards nothing: "
                                                               + "imported as AWS imports it, without it (define the scheme to guard the method)"))
                        continue
                    }
                    if scheme.child("type")?.scalar == "apiKey", scheme.child("in")?.scalar == "header",
                       scheme.child("name")?.scalar?.lowercased() == "x-api-key" {
                        apiKey = true
                    } else if let authorizer = authorizers[name] {
                        guardedBy = authorizer
                        scopes += requested.elements?.compactMap(\.scalar) ?? []
                        authorization = authorizer.type == "JWT" ? "JWT" : authorizer.type == "COGNITO_USER_POOLS" ? "COGNITO_USER_POOLS" : "CUSTOM"
                        if let problem = authorizer.problem {
                            warnings.append(scheme.diagnostic("security scheme '\(name)': \(problem): the method is imported guarded, and deploy refuses it"))
                        }
                    } else {
                        let authType = scheme.child("x-amazon-apigateway-authtype")?.scalar?.lowercased()
                        let authorizerType = scheme.child("x-amazon-apigateway-authorizer")?.child("type")?.scalar?.lowercased()
                        authorization = authType == "awssigv4" ? "AWS_IAM" : authorizerType == "cognito_user_pools" ? "COGNITO_USER_POOLS" : "CUSTOM"
                        if authorization != "AWS_IAM" {
                            warnings.append(scheme.diagnostic("security scheme '\(name)' needs an authorizer (\(authorization ?? "CUSTOM")), which this build does not run yet: "
                                                              + "the method is imported guarded, and deploy refuses it until authorizers exist"))
                        }
                    }
                }
            }
            return (apiKey, authorization, guardedBy, scopes)
        }

        /// The document's `tags`: each a name, a description and, with `x-amazon-apigateway-tag-value`, an AWS tag value.
        mutating func readTags(_ node: DocumentNode?) -> [ApiTag]? {
            guard let node else { return nil }
            guard let items = node.elements else {
                errors.append(node.diagnostic("tags must be a list of tags, each with a name"))
                return nil
            }
            var tags: [ApiTag] = []
            for item in items {
                guard let name = item.child("name")?.scalar, !name.isEmpty else {
                    errors.append(item.diagnostic("each tag needs a name"))
                    continue
                }
                tags.append(ApiTag(name: name, description: item.child("description")?.scalar,
                                   value: item.child("x-amazon-apigateway-tag-value")?.scalar))
            }
            return tags.isEmpty ? nil : tags
        }

        /// Swagger's `basePath`, or the path of OAS 3's first server (its `basePath` variable's default where the
        /// URL names one, as AWS's exports write it).
        func readBasePath() -> String? {
            if let basePath = root.child("basePath")?.scalar { return basePath }
            guard let server = root.child("servers")?.elements?.first, let url = server.child("url")?.scalar else { return nil }
            if let variable = server.child("variables")?.child("basePath")?.child("default")?.scalar {
                return variable.hasPrefix("/") ? variable : "/" + variable
            }
            let withoutScheme = url.range(of: "://").map { String(url[$0.upperBound...]) }
            guard let rest = withoutScheme else { return url.hasPrefix("/") ? url : nil }
            return rest.firstIndex(of: "/").map { String(rest[$0...]) }
        }

        /// `x-amazon-apigateway-endpoint-configuration`: `types` (one of REGIONAL, EDGE, PRIVATE); the VPC
        /// endpoint ids and `disableExecuteApiEndpoint` have no meaning here and are warned.
        mutating func readEndpointConfiguration(_ node: DocumentNode) -> EndpointType? {
            for (key, value) in node.entries ?? [] where key != "types" {
                warnings.append(value.diagnostic("endpoint configuration field '\(key)' is not supported here and was ignored"))
            }
            guard let types = node.child("types") else { return nil }
            let names = types.elements?.compactMap(\.scalar) ?? types.scalar.map { [$0] } ?? []
            guard names.count == 1, let type = EndpointType(rawValue: names[0].uppercased()) else {
                errors.append(types.diagnostic("types must name one of REGIONAL, EDGE or PRIVATE, got \(names)"))
                return nil
            }
            return type
        }

        /// Every mapping template under `node` (content type → template) must parse: one that does not is an
        /// error naming the document's line and the template's own line and column.
        mutating func checkTemplates(_ node: DocumentNode?, role: String) {
            for (contentType, value) in node?.entries ?? [] {
                guard let text = value.scalar, !text.isEmpty else { continue }
                do {
                    _ = try VelocityTemplate(text)
                } catch {
                    errors.append(value.diagnostic("the \(role) template for \(contentType) does not parse: template \(error)"))
                }
            }
        }

        func resolveReference(_ node: DocumentNode) -> DocumentNode {
            guard let ref = node.child("$ref")?.scalar, ref.hasPrefix("#/") else { return node }
            var current: DocumentNode? = root
            for part in ref.dropFirst(2).split(separator: "/") {
                let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                current = current?.child(key)
            }
            return current ?? node
        }

        static let integrationFields: Set<String> = [
            "type", "uri", "httpMethod", "requestParameters", "requestTemplates", "passthroughBehavior",
            "timeoutInMillis", "responses", "cacheKeyParameters", "tlsConfig", "contentHandling",
        ]
        static let ignoredIntegrationFields: Set<String> = [
            "cacheNamespace", "connectionType", "connectionId",
            "credentials", "integrationSubtype", "payloadFormatVersion",
        ]

        mutating func readIntegration(_ node: DocumentNode, verb: String) -> Integration? {
            guard node.entries != nil else {
                errors.append(node.diagnostic("x-amazon-apigateway-integration must be a mapping"))
                return nil
            }
            guard let typeNode = node.child("type"), let typeText = typeNode.scalar else {
                errors.append(node.diagnostic("'type' is required (http, http_proxy or mock)"))
                return nil
            }
            guard let type = IntegrationType(rawValue: typeText.uppercased()) else {
                errors.append(typeNode.diagnostic("unknown integration type '\(typeText)'; expected http, http_proxy, mock, aws or aws_proxy"))
                return nil
            }
            if !type.isSupported {
                warnings.append(typeNode.diagnostic("integration type '\(typeText)' calls AWS services, which do not exist here; kept for export, answers 500"))
            }
            var integration = Integration(type: type)
            if let uriNode = node.child("uri"), uriNode.scalar == nil {
                // An unrendered CloudFormation / SAM intrinsic (`Fn::Sub`, `!Join`) is an object, not a URI.
                let intrinsic = uriNode.entries?.first?.key ?? "a non-string value"
                errors.append(uriNode.diagnostic("'uri' is \(intrinsic), not a string: this looks like an unrendered CloudFormation template; "
                                                 + "render it first (sam build, aws cloudformation package, or your tool's output) and import the result"))
                return nil
            }
            integration.uri = node.child("uri")?.scalar
            if let tls = node.child("tlsConfig") {
                if let skip = tls.child("insecureSkipVerification") {
                    switch skip.scalar?.lowercased() {
                    case "true": integration.insecureSkipVerification = true
                    case "false": integration.insecureSkipVerification = false
                    default: errors.append(skip.diagnostic("tlsConfig.insecureSkipVerification must be true or false, got '\(skip.scalar ?? "")'"))
                    }
                }
            }
            if let keys = node.child("cacheKeyParameters") {
                var parameters: [String] = []
                for element in keys.elements ?? [] {
                    guard let name = element.scalar, CachePolicy.isCacheKeyParameter(name) else {
                        errors.append(element.diagnostic("a cache key parameter is method.request.path.NAME, method.request.querystring.NAME or method.request.header.NAME"))
                        continue
                    }
                    parameters.append(name)
                }
                if keys.elements == nil { errors.append(keys.diagnostic("cacheKeyParameters must be a list")) }
                integration.cacheKeyParameters = parameters.isEmpty ? nil : parameters
            }
            if (type == .http || type == .httpProxy) {
                if let uri = integration.uri {
                    if !(uri.hasPrefix("http://") || uri.hasPrefix("https://")) {
                        errors.append(node.child("uri")?.diagnostic("'uri' must be an absolute http:// or https:// URL, got '\(uri)'")
                                      ?? node.diagnostic("bad uri"))
                    }
                } else {
                    errors.append(node.diagnostic("'uri' is required for an \(typeText) integration"))
                }
            }
            if let method = node.child("httpMethod")?.scalar {
                let upper = method.uppercased()
                if Method.verbs.contains(upper) { integration.httpMethod = upper } else {
                    errors.append(node.child("httpMethod")?.diagnostic("'\(method)' is not an HTTP method") ?? node.diagnostic("bad httpMethod"))
                }
            }
            integration.requestParameters = stringMap(node.child("requestParameters"))
            for (key, value) in integration.requestParameters {
                if !key.hasPrefix("integration.request.") {
                    errors.append(node.child("requestParameters")?.diagnostic("'\(key)' must start with integration.request.") ?? node.diagnostic(key))
                }
                if !(value.hasPrefix("method.request.") || value.hasPrefix("stageVariables.") || value.hasPrefix("'")
                     || value.hasPrefix("context.")) {
                    errors.append(node.child("requestParameters")?.diagnostic("'\(value)' for \(key) must be method.request.*, stageVariables.*, context.* or a 'quoted literal'") ?? node.diagnostic(value))
                }
            }
            integration.requestTemplates = stringMap(node.child("requestTemplates"))
            checkTemplates(node.child("requestTemplates"), role: "request")
            integration.passthroughBehavior = node.child("passthroughBehavior")?.scalar
            if let behavior = integration.passthroughBehavior, PassthroughBehavior(rawValue: behavior.uppercased()) == nil {
                errors.append(node.child("passthroughBehavior")?.diagnostic("passthroughBehavior must be WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER, got '\(behavior)'")
                              ?? node.diagnostic("passthroughBehavior"))
            }
            integration.contentHandling = readContentHandling(node.child("contentHandling"))
            if integration.contentHandling != nil, type == .httpProxy || type == .awsProxy {
                warnings.append(node.child("contentHandling")?.diagnostic("a proxy integration passes bodies as they came; its contentHandling is kept for export only")
                                ?? node.diagnostic("contentHandling"))
            }
            if let timeoutNode = node.child("timeoutInMillis") {
                if let timeout = Int(timeoutNode.scalar ?? ""), Integration.timeoutRange.contains(timeout) {
                    integration.timeoutInMillis = timeout
                } else {
                    errors.append(timeoutNode.diagnostic("timeoutInMillis must be a whole number from 50 to 29000, got '\(timeoutNode.scalar ?? "")'"))
                }
            }
            for (pattern, response) in node.child("responses")?.entries ?? [] {
                guard let status = response.child("statusCode")?.scalar, let code = Int(status), (100...599).contains(code) else {
                    errors.append(response.diagnostic("each integration response needs a statusCode from 100 to 599"))
                    continue
                }
                if pattern != "default", (try? NSRegularExpression(pattern: pattern)) == nil {
                    errors.append(response.diagnostic("selection pattern '\(pattern)' is not a valid regular expression"))
                }
                var integrationResponse = IntegrationResponse(
                    statusCode: status, selectionPattern: pattern == "default" ? nil : pattern,
                    responseParameters: stringMap(response.child("responseParameters")),
                    responseTemplates: stringMap(response.child("responseTemplates")))
                checkTemplates(response.child("responseTemplates"), role: "\(pattern) response")
                integrationResponse.contentHandling = readContentHandling(response.child("contentHandling"))
                if integrationResponse.contentHandling != nil, type == .httpProxy || type == .awsProxy {
                    warnings.append(response.diagnostic("a proxy integration passes the backend's body as it came; a response's contentHandling is kept for export only"))
                }
                integration.integrationResponses[pattern] = integrationResponse
            }
            for (key, value) in node.entries ?? [] where !Self.integrationFields.contains(key) {
                if Self.ignoredIntegrationFields.contains(key) {
                    warnings.append(value.diagnostic("integration field '\(key)' is not supported here and was ignored"))
                } else {
                    warnings.append(value.diagnostic("unknown integration field '\(key)' was ignored"))
                }
            }
            return integration
        }

        /// CONVERT_TO_TEXT or CONVERT_TO_BINARY; anything else is an error.
        mutating func readContentHandling(_ node: DocumentNode?) -> String? {
            guard let node else { return nil }
            guard let value = node.scalar?.uppercased(), value == "CONVERT_TO_TEXT" || value == "CONVERT_TO_BINARY" else {
                errors.append(node.diagnostic("contentHandling must be CONVERT_TO_TEXT or CONVERT_TO_BINARY, got '\(node.scalar ?? "")'"))
                return nil
            }
            return value
        }

        func stringMap(_ node: DocumentNode?) -> [String: String] {
            var result: [String: String] = [:]
            for (key, value) in node?.entries ?? [] { result[key] = value.scalar ?? "" }
            return result
        }

        mutating func warnUnsupportedExtensions(in node: DocumentNode) {
            for (key, value) in node.entries ?? [] where key.hasPrefix("x-amazon-apigateway") && !OpenAPIImporter.supportedExtensions.contains(key) {
                warnUnsupported(value, name: key)
            }
        }

        mutating func warnUnsupported(_ node: DocumentNode, name: String) {
            warnings.append(node.diagnostic("extension '\(name)' is not supported here and was ignored"))
        }
    }
}
