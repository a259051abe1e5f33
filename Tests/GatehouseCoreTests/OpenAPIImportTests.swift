import Foundation
import GatehouseCore
import Testing

func fixture(_ name: String) throws -> String {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
    return try String(contentsOf: url, encoding: .utf8)
}

@Suite struct OpenAPIImportTests {
    @Test func awsPetStoreOpenAPI30() throws {
        let result = try OpenAPIImporter.parse(try fixture("petstore-aws.yaml"), apiId: "abc123")
        let api = result.definition
        #expect(api.restApi.name == "PetStore")
        #expect(api.restApi.apiKeySource == .header)
        #expect(Set(api.resources.map(\.path)) == ["/", "/pets", "/pets/{petId}", "/store", "/store/{proxy+}"])
        let pets = try #require(api.resources.first { $0.path == "/pets" })
        let get = try #require(pets.resourceMethods["GET"]?.methodIntegration)
        #expect(get.type == .http)
        #expect(get.requestParameters["integration.request.querystring.page"] == "method.request.querystring.page")
        #expect(get.integrationResponses["default"]?.responseParameters["method.response.header.Access-Control-Allow-Origin"] == "'*'")
        #expect(pets.resourceMethods["GET"]?.requestParameters["method.request.querystring.type"] == false)
        #expect(pets.resourceMethods["POST"]?.apiKeyRequired == true)
        #expect(pets.resourceMethods["GET"]?.apiKeyRequired == false)
        let byId = try #require(api.resources.first { $0.path == "/pets/{petId}" }?.resourceMethods["GET"])
        #expect(byId.methodIntegration?.timeoutInMillis == 5000)
        #expect(byId.requestParameters["method.request.path.petId"] == true)
        let proxy = try #require(api.resources.first { $0.path == "/store/{proxy+}" }?.resourceMethods["ANY"]?.methodIntegration)
        #expect(proxy.type == .httpProxy)
        #expect(proxy.uri == "http://${stageVariables.storeHost}/{proxy}")
        let root = try #require(api.resources.first { $0.path == "/" }?.resourceMethods["GET"]?.methodIntegration)
        #expect(root.type == .mock)
        #expect(root.integrationResponses["default"]?.responseTemplates["text/html"]?.contains("Welcome") == true)
        // Unsupported pieces are warnings that name them, not silent drops.
        let warnings = result.warnings.map(\.description).joined(separator: "\n")
        #expect(!warnings.contains("x-amazon-apigateway-binary-media-types"), "read now: kept and exported")
        #expect(result.definition.restApi.binaryMediaTypes?.isEmpty == false)
        #expect(!warnings.contains("contentHandling"), "an HTTP integration's contentHandling is applied now")
        #expect(pets.resourceMethods["POST"]?.methodIntegration?.contentHandling == "CONVERT_TO_TEXT")
        #expect(!warnings.contains("cacheKeyParameters"), "read now: the stage cache keys on them")
        #expect(proxy.cacheKeyParameters == ["method.request.path.proxy"])
        #expect(result.warnings.allSatisfy { $0.line != nil })
    }

    @Test func swagger2Json() throws {
        let result = try OpenAPIImporter.parse(try fixture("petstore-swagger2.json"), apiId: "sw1")
        let api = result.definition
        #expect(api.restApi.name == "PetStore Swagger")
        let delete = try #require(api.resources.first { $0.path == "/pets/{id}" }?.resourceMethods["DELETE"])
        #expect(delete.apiKeyRequired)
        #expect(delete.requestParameters["method.request.path.id"] == true)
        #expect(delete.methodIntegration?.type == .mock)
        #expect(api.resources.first { $0.path == "/{proxy+}" }?.resourceMethods["ANY"] != nil)
        #expect(api.resources.first { $0.path == "/pets" }?.resourceMethods["GET"]?.methodIntegration?.timeoutInMillis == 3000)
        #expect(result.warnings.contains { $0.description.contains("x-amazon-apigateway-request-validator") })
    }

    @Test(arguments: [OpenAPIExporter.Format.oas30, .swagger], [false, true])
    func exportThenImportIsStable(format: OpenAPIExporter.Format, yaml: Bool) throws {
        for name in ["petstore-aws.yaml", "petstore-swagger2.json", "guarded.yaml"] {
            let first = try OpenAPIImporter.parse(try fixture(name), apiId: "x").definition
            let exported = OpenAPIExporter.document(first, stageName: "prod", format: format)
            let text = yaml ? try exported.yaml() : exported.json()
            let second = try OpenAPIImporter.parse(text, apiId: "x").definition
            #expect(normalized(second) == normalized(first), "\(name) as \(format) yaml=\(yaml)")
            // And exporting again gives the same text.
            let again = OpenAPIExporter.document(second, stageName: "prod", format: format)
            #expect((yaml ? try again.yaml() : again.json()) == text)
        }
    }

    /// Guarded methods keep their guard through an export: SigV4 with a key, a JWT authorizer with its scopes,
    /// and a scheme AWS does not know (typed CUSTOM), which must come back guarded, never open.
    @Test func aGuardedMethodIsGuardedAgainAfterExportAndImport() throws {
        for format in OpenAPIExporter.Format.allCases {
            let first = try OpenAPIImporter.parse(try fixture("guarded.yaml"), apiId: "x").definition
            let text = try OpenAPIExporter.document(first, stageName: nil, format: format).yaml()
            let second = try OpenAPIImporter.parse(text, apiId: "x").definition
            func method(_ path: String) -> Method? { second.resources.first { $0.path == path }?.resourceMethods["GET"] }
            #expect(method("/signed")?.authorizationType == "AWS_IAM" && method("/signed")?.apiKeyRequired == true, "\(format)")
            #expect(method("/token")?.authorizationType == "JWT" && method("/token")?.authorizationScopes == ["pets/read", "pets/write"], "\(format)")
            #expect(second.authorizer(id: method("/token")?.authorizerId)?.jwtConfiguration == .init(issuer: "https://issuer.example.test", audience: ["a1", "a2"]))
            #expect(method("/unknown")?.authorizationType == "CUSTOM", "\(format)")
            #expect(method("/open")?.authorizationType == "NONE", "\(format)")
            #expect(second.restApi.policy != nil && second.restApi.policy == first.restApi.policy, "the resource policy comes back: \(format)")
            #expect(first.restApi.policy?.contains("10.0.0.0/8") == true)
        }
    }

    /// The definition without generated ids and dates.
    func normalized(_ definition: ApiDefinition) -> [String: [String: Method]] {
        var result: [String: [String: Method]] = [:]
        for resource in definition.resources {
            var methods = resource.resourceMethods
            // Authorizer ids are made at import: compare by name.
            for (verb, method) in methods { methods[verb]?.authorizerId = definition.authorizer(id: method.authorizerId)?.name }
            result[resource.path] = methods
        }
        result["#api"] = ["name": Method(httpMethod: definition.restApi.name, operationName: definition.restApi.apiKeySource.rawValue)]
        return result
    }
}

@Suite struct OpenAPIImportErrorTests {
    func error(_ text: String) -> ImportError? {
        do {
            _ = try OpenAPIImporter.parse(text, apiId: "x")
            return nil
        } catch {
            return error
        }
    }

    @Test func yamlSyntaxErrorNamesTheLine() throws {
        let text = """
        openapi: 3.0.1
        info:
          title: Broken
          version: "1"
        paths:
          /pets:
            get: [unclosed
        """
        let failure = try #require(error(text))
        #expect(failure.diagnostics.first?.line != nil)
        #expect(failure.description.contains("syntax error"))
    }

    @Test func unknownIntegrationTypeNamesPathAndLine() throws {
        let text = """
        openapi: 3.0.1
        info:
          title: Broken
          version: "1"
        paths:
          /pets:
            get:
              responses:
                "200":
                  description: ok
              x-amazon-apigateway-integration:
                type: carrier_pigeon
                uri: http://example.com
        """
        let failure = try #require(error(text))
        let diagnostic = try #require(failure.diagnostics.first)
        #expect(diagnostic.line == 12)
        #expect(diagnostic.location == "paths./pets.get.x-amazon-apigateway-integration.type")
        #expect(diagnostic.message.contains("carrier_pigeon"))
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let text = """
        swagger: "2.0"
        info: {title: Broken, version: "1"}
        paths:
          /a:
            get:
              responses: {}
              x-amazon-apigateway-integration: {type: http, timeoutInMillis: 40000}
          /b/{x+}/c:
            get:
              responses: {}
        """
        let failure = try #require(error(text))
        let all = failure.description
        #expect(all.contains("'uri' is required"))
        #expect(all.contains("timeoutInMillis must be a whole number from 50 to 29000"))
        #expect(all.contains("must be the last part"))
        #expect(failure.diagnostics.count == 3)
    }

    @Test func structuralErrorsFromOpenAPIKitCarryTheLine() throws {
        let text = """
        openapi: 3.0.1
        info:
          title: Broken
          version: "1"
        paths:
          /pets:
            get:
              parameters:
                - name: id
                  in: nowhere
              responses:
                "200":
                  description: ok
        """
        let failure = try #require(error(text))
        let diagnostic = try #require(failure.diagnostics.first)
        #expect(diagnostic.location.hasPrefix("paths./pets.get.parameters"))
        #expect(diagnostic.line != nil)
    }

    @Test func notOpenAPI() throws {
        #expect(try #require(error("hello: world")).description.contains("neither"))
        #expect(try #require(error("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}")).description.contains("3.0.x"))
        #expect(error("") != nil)
    }
}
