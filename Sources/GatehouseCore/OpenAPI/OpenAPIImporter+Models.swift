import Foundation

extension OpenAPIImporter.Reader {
    /// The prefix model references take inside the API, whichever dialect they came from.
    static let modelRef = "#/components/schemas/"

    /// Swagger's `definitions` or OAS 3's `components.schemas`: each a model, kept as its JSON schema.
    mutating func readModels() -> [String: String]? {
        let node = dialect == .swagger2 ? root.child("definitions") : root.child("components")?.child("schemas")
        var models: [String: String] = [:]
        for (name, schema) in node?.entries ?? [] {
            let value = Self.normalizingRefs(schema.typedValue)
            guard JSONSerialization.isValidJSONObject(value),
                  let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) else {
                errors.append(schema.diagnostic("model '\(name)' is not a JSON schema object"))
                continue
            }
            models[name] = String(decoding: data, as: UTF8.self)
        }
        return models.isEmpty ? nil : models
    }

    /// `$ref`s to `#/definitions/X` rewritten as `#/components/schemas/X`.
    static func normalizingRefs(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            var copy: [String: Any] = [:]
            for (key, inner) in object {
                if key == "$ref", let ref = inner as? String, ref.hasPrefix("#/definitions/") {
                    copy[key] = modelRef + ref.dropFirst("#/definitions/".count)
                } else {
                    copy[key] = normalizingRefs(inner)
                }
            }
            return copy
        }
        if let array = value as? [Any] { return array.map(normalizingRefs) }
        return value
    }

    /// The model a schema node names by `$ref`; an inline schema is a warning (kept models are named ones).
    mutating func modelName(_ schema: DocumentNode?, for what: String) -> String? {
        guard let schema else { return nil }
        if let ref = schema.child("$ref")?.scalar {
            for prefix in ["#/definitions/", Self.modelRef] where ref.hasPrefix(prefix) { return String(ref.dropFirst(prefix.count)) }
            errors.append(schema.diagnostic("\(what): '$ref' \(ref) is not a model of this document"))
            return nil
        }
        warnings.append(schema.diagnostic("\(what): an inline schema is not kept (name it under \(dialect == .swagger2 ? "definitions" : "components.schemas") and $ref it)"))
        return nil
    }

    /// An operation's declared responses (status, headers, models) and its request body's models.
    mutating func readResponsesAndBody(_ operation: DocumentNode, into method: inout Method, sharedParameters: DocumentNode?) {
        var responses: [String: MethodResponse] = [:]
        for (status, node) in operation.child("responses")?.entries ?? [] {
            let response = resolveReference(node)
            var declared = MethodResponse(statusCode: status, description: response.child("description")?.scalar)
            for (header, value) in response.child("headers")?.entries ?? [] {
                declared.responseParameters["method.response.header.\(header)"] = resolveReference(value).child("required")?.scalar == "true"
            }
            if dialect == .swagger2 {
                if let name = modelName(response.child("schema"), for: "response \(status)") {
                    let types = (operation.child("produces") ?? root.child("produces"))?.elements?.compactMap(\.scalar) ?? ["application/json"]
                    for type in types { declared.responseModels[type] = name }
                }
            } else {
                for (type, media) in response.child("content")?.entries ?? [] {
                    if let name = modelName(media.child("schema"), for: "response \(status) \(type)") { declared.responseModels[type] = name }
                }
            }
            responses[status] = declared
        }
        method.methodResponses = responses.isEmpty ? nil : responses
        if dialect == .swagger2 {
            for parameter in (sharedParameters?.elements ?? []) + (operation.child("parameters")?.elements ?? []) {
                let resolved = resolveReference(parameter)
                guard resolved.child("in")?.scalar == "body" else { continue }
                if let name = modelName(resolved.child("schema"), for: "body parameter") {
                    let types = (operation.child("consumes") ?? root.child("consumes"))?.elements?.compactMap(\.scalar) ?? ["application/json"]
                    method.requestModels = Dictionary(uniqueKeysWithValues: types.map { ($0, name) })
                }
                method.requestBodyRequired = resolved.child("required")?.scalar == "true" ? true : nil
            }
        } else if let body = operation.child("requestBody").map(resolveReference) {
            var models: [String: String] = [:]
            for (type, media) in body.child("content")?.entries ?? [] {
                if let name = modelName(media.child("schema"), for: "request body \(type)") { models[type] = name }
            }
            method.requestModels = models.isEmpty ? nil : models
            method.requestBodyRequired = body.child("required")?.scalar == "true" ? true : nil
        }
    }
}

extension OpenAPIImporter.Reader {
    /// `x-amazon-apigateway-documentation`: `version` and `documentationParts`, each a `location` (a type AWS has)
    /// and `properties` (an object, kept as JSON).
    mutating func readDocumentation(_ node: DocumentNode) -> ApiDocumentation? {
        var parts: [DocumentationPart] = []
        for element in node.child("documentationParts")?.elements ?? [] {
            guard let location = element.child("location"), let type = location.child("type")?.scalar?.uppercased(),
                  DocumentationPart.Location.types.contains(type) else {
                errors.append(element.diagnostic("a documentation part needs location.type, one of \(DocumentationPart.Location.types.joined(separator: ", "))"))
                continue
            }
            let properties = element.child("properties")?.typedValue ?? [String: Any]()
            guard JSONSerialization.isValidJSONObject(properties),
                  let data = try? JSONSerialization.data(withJSONObject: properties, options: [.sortedKeys, .withoutEscapingSlashes]) else {
                errors.append(element.diagnostic("a documentation part's properties must be an object"))
                continue
            }
            parts.append(DocumentationPart(location: .init(type: type, path: location.child("path")?.scalar, method: location.child("method")?.scalar,
                                                           statusCode: location.child("statusCode")?.scalar, name: location.child("name")?.scalar),
                                           properties: String(decoding: data, as: UTF8.self)))
        }
        if node.child("documentationParts") != nil, node.child("documentationParts")?.elements == nil {
            errors.append(node.diagnostic("documentationParts must be a list"))
        }
        return ApiDocumentation(version: node.child("version")?.scalar, parts: parts)
    }
}
