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
}
