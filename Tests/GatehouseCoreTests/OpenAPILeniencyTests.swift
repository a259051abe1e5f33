import Foundation
import GatehouseCore
import Testing

/// Issue 12, point 2: as lenient and as strict as AWS's importer, and warnings once per document.
@Suite struct OpenAPILeniencyTests {
    @Test func anUndefinedSecuritySchemeImportsAsAWSImportsItWithAWarning() throws {
        // The shape of AWS's request-validation sample: an operation names a scheme the document never defines.
        let text = """
            swagger: "2.0"
            info: {title: ReqValidators Sample, version: "1"}
            paths:
              /validation:
                get:
                  security: [{sigv4: []}]
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration: {type: http, httpMethod: GET, uri: "http://petstore-demo-endpoint.execute-api.com/petstore/pets"}
                post:
                  security: [{sigv4: []}]
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}}
            """
        let result = try OpenAPIImporter.parse(text, apiId: "a1")
        let method = try #require(result.definition.resources.first { $0.path == "/validation" }?.resourceMethods["GET"])
        #expect(method.authorizationType == "NONE")
        let warnings = result.warnings.filter { $0.message.contains("security scheme 'sigv4' is not defined") }
        // Once for the document, with how many other places say the same.
        #expect(warnings.count == 1 && warnings[0].message.contains("and 1 more place like it"), "\(result.warnings)")
        #expect(warnings[0].line != nil)
    }

    @Test func aRefIntoTheIntegrationsComponentIsFollowed() throws {
        let text = """
            openapi: 3.0.1
            info: {title: Shared integrations, version: "1"}
            components:
              x-amazon-apigateway-integrations:
                backend:
                  type: http_proxy
                  httpMethod: GET
                  uri: "http://${stageVariables.backend}/items"
                  timeoutInMillis: 4000
            paths:
              /items:
                get:
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration: {$ref: "#/components/x-amazon-apigateway-integrations/backend"}
              /broken:
                get:
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration: {$ref: "#/components/x-amazon-apigateway-integrations/missing"}
            """
        do {
            _ = try OpenAPIImporter.parse(text, apiId: "a1")
            Issue.record("a $ref to nothing was imported")
        } catch {
            #expect(error.description.contains("/broken") && error.description.contains("does not lead to an integration"), "\(error)")
        }
        let fixed = text.replacingOccurrences(of: "integrations/missing", with: "integrations/backend")
        let result = try OpenAPIImporter.parse(fixed, apiId: "a1")
        let integration = try #require(result.definition.resources.first { $0.path == "/items" }?.resourceMethods["GET"]?.methodIntegration)
        #expect(integration.type == .httpProxy && integration.uri == "http://${stageVariables.backend}/items" && integration.timeoutInMillis == 4000)
        #expect(!result.warnings.contains { $0.message.contains("x-amazon-apigateway-integrations") }, "\(result.warnings)")
    }

    @Test func anUnrenderedCloudFormationURIIsAnErrorForEveryType() throws {
        for type in ["aws_proxy", "http", "http_proxy"] {
            let text = """
                openapi: 3.0.1
                info: {title: SAM, version: "1"}
                paths:
                  /fn:
                    post:
                      responses: {"200": {description: ok}}
                      x-amazon-apigateway-integration:
                        type: \(type)
                        httpMethod: POST
                        uri:
                          Fn::Sub: "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
                """
            do {
                _ = try OpenAPIImporter.parse(text, apiId: "a1")
                Issue.record("\(type): an object uri was imported")
            } catch {
                let text = error.description
                #expect(text.contains("'uri' is Fn::Sub, not a string") && text.contains("render it first") && text.contains("line 11"), "\(type): \(text)")
            }
        }
    }
}
