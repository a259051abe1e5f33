import Foundation
import GatehouseCore
import Testing

/// Issue 12, point 1 (responses, models, bodies): what AWS's export keeps survives import → export, in both
/// dialects, and the export of an export is identical.
@Suite struct OpenAPIContractTests {
    static let oas = """
        openapi: 3.0.1
        info: {title: Orders, version: "2"}
        components:
          schemas:
            Order:
              type: object
              required: [id, items]
              additionalProperties: false
              properties:
                id: {type: string}
                total: {type: number, minimum: 0.5}
                count: {type: integer, maximum: 10}
                items: {type: array, items: {$ref: "#/components/schemas/Item"}}
            Item: {type: object, properties: {sku: {type: string}}}
            Error: {type: object, properties: {message: {type: string}}}
        paths:
          /orders:
            post:
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: "#/components/schemas/Order"}}
              responses:
                "201":
                  description: created
                  headers:
                    Location: {required: true, schema: {type: string}}
                    X-Request-Id: {schema: {type: string}}
                  content:
                    application/json: {schema: {$ref: "#/components/schemas/Order"}}
                "400":
                  description: bad order
                  content:
                    application/json: {schema: {$ref: "#/components/schemas/Error"}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: POST, uri: "http://${stageVariables.backend}/orders"}
          /orders/{id}:
            delete:
              parameters: [{name: id, in: path, required: true, schema: {type: string}}]
              responses:
                "204": {description: gone}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: DELETE, uri: "http://${stageVariables.backend}/orders/{id}",
                                                requestParameters: {integration.request.path.id: method.request.path.id}}
        """

    func roundTrip(_ text: String, format: OpenAPIExporter.Format) throws -> (ApiDefinition, String, String) {
        let first = try OpenAPIImporter.parse(text, apiId: "a1").definition
        let exported = OpenAPIExporter.document(first, stageName: "prod", format: format).json()
        let second = try OpenAPIImporter.parse(exported, apiId: "a1").definition
        let again = OpenAPIExporter.document(second, stageName: "prod", format: format).json()
        return (second, exported, again)
    }

    @Test(arguments: OpenAPIExporter.Format.allCases)
    func responsesModelsAndBodiesSurviveAndTheExportIsStable(format: OpenAPIExporter.Format) throws {
        let (api, exported, again) = try roundTrip(Self.oas, format: format)
        #expect(exported == again, "the export of an export is identical")
        let post = try #require(api.resources.first { $0.path == "/orders" }?.resourceMethods["POST"])
        let created = try #require(post.methodResponses?["201"])
        #expect(created.description == "created")
        #expect(created.responseParameters == ["method.response.header.Location": true, "method.response.header.X-Request-Id": false])
        #expect(created.responseModels["application/json"] == "Order")
        #expect(post.methodResponses?["400"]?.responseModels["application/json"] == "Error")
        #expect(post.requestModels == ["application/json": "Order"] && post.requestBodyRequired == true)
        let delete = try #require(api.resources.first { $0.path == "/orders/{id}" }?.resourceMethods["DELETE"])
        #expect(delete.methodResponses.map { Array($0.keys) } == ["204"], "a 204 stays a 204")
        // Models keep their types and their references between them.
        let order = try #require(api.restApi.models?["Order"])
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(order.utf8)) as? [String: Any])
        #expect(schema["additionalProperties"] as? Bool == false)
        let properties = schema["properties"] as? [String: Any]
        #expect((properties?["total"] as? [String: Any])?["minimum"] as? Double == 0.5)
        #expect((properties?["count"] as? [String: Any])?["maximum"] as? Int == 10)
        #expect(order.contains(##""$ref":"#/components/schemas/Item""##))
        #expect(exported.contains(format == .oas30 ? "#/components/schemas/Item" : "#/definitions/Item"), "\(exported)")
        #expect(Set(api.restApi.models?.keys.map { $0 } ?? []) == ["Order", "Item", "Error"])
    }

    @Test func anInlineSchemaIsAWarningNotASilentDrop() throws {
        let text = Self.oas.replacingOccurrences(of: ##"application/json: {schema: {$ref: "#/components/schemas/Error"}}"##,
                                                 with: "application/json: {schema: {type: object}}")
        let result = try OpenAPIImporter.parse(text, apiId: "a1")
        #expect(result.warnings.contains { $0.message.contains("an inline schema is not kept") && $0.line != nil }, "\(result.warnings)")
    }

    /// Tags (the document's, with AWS's tag values, and each operation's), the base path or server, and the
    /// endpoint configuration survive import → export in both dialects; the export of an export is identical.
    static let described = [
        ("swagger", """
            swagger: "2.0"
            info: {title: Tagged, version: "3", description: "pets and owners"}
            basePath: /v1
            tags:
              - {name: pets, description: "Everything about pets"}
              - {name: team, x-amazon-apigateway-tag-value: platform}
            x-amazon-apigateway-endpoint-configuration: {types: [PRIVATE], vpcEndpointIds: [vpce-1]}
            x-amazon-apigateway-importexport-version: "1.0"
            paths:
              /pets:
                get:
                  tags: [pets]
                  operationId: listPets
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
            """),
        ("oas30", """
            openapi: 3.0.1
            info: {title: Tagged, version: "3", description: "pets and owners"}
            servers:
              - url: "https://{restapi_id}.execute-api.{region}.amazonaws.com/{basePath}"
                variables: {basePath: {default: v1}}
                x-amazon-apigateway-endpoint-configuration: {types: [PRIVATE], vpcEndpointIds: [vpce-1]}
            tags:
              - {name: pets, description: "Everything about pets"}
              - {name: team, x-amazon-apigateway-tag-value: platform}
            paths:
              /pets:
                get:
                  tags: [pets]
                  operationId: listPets
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
                post:
                  x-amazon-apigateway-auth: {type: AWS_IAM}
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
            """),
    ]

    @Test(arguments: 0..<described.count)
    func tagsBasePathAndEndpointSurvive(_ index: Int) throws {
        let (name, text) = Self.described[index]
        let imported = try OpenAPIImporter.parse(text, apiId: "a1")
        let api = imported.definition.restApi
        #expect(api.tags == [ApiTag(name: "pets", description: "Everything about pets"), ApiTag(name: "team", value: "platform")], "\(name)")
        #expect(api.awsTags == ["team": "platform"])
        #expect(api.basePath == "/v1", "\(name)")
        #expect(api.endpointType == .private, "\(name)")
        #expect(api.description == "pets and owners")
        #expect(imported.definition.resources.first { $0.path == "/pets" }?.resourceMethods["GET"]?.tags == ["pets"])
        #expect(imported.warnings.contains { $0.message.contains("'vpcEndpointIds' is not supported here") }, "\(imported.warnings)")
        #expect(!imported.warnings.contains { $0.message.contains("importexport-version") || $0.message.contains("tag-value") }, "\(imported.warnings)")
        for format in OpenAPIExporter.Format.allCases {
            // Without a stage the document's own base path comes back; with one, the stage's.
            let exported = OpenAPIExporter.document(imported.definition, stageName: nil, format: format).json()
            let second = try OpenAPIImporter.parse(exported, apiId: "a1").definition
            #expect(OpenAPIExporter.document(second, stageName: nil, format: format).json() == exported, "\(name) → \(format)")
            #expect(second.restApi.tags == api.tags && second.restApi.basePath == "/v1" && second.restApi.endpointType == .private,
                    "\(name) → \(format): \(exported)")
            #expect(second.resources.first { $0.path == "/pets" }?.resourceMethods["GET"]?.tags == ["pets"])
            if name == "oas30" {
                #expect(second.resources.first { $0.path == "/pets" }?.resourceMethods["POST"]?.authorizationType == "AWS_IAM", "x-amazon-apigateway-auth")
            }
            let staged = OpenAPIExporter.document(imported.definition, stageName: "prod", format: format).json()
            #expect(try OpenAPIImporter.parse(staged, apiId: "a1").definition.restApi.basePath == "/prod")
        }
    }
}
