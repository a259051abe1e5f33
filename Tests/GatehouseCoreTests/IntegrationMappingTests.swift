import GatehouseCore
import Testing

@Suite struct IntegrationMappingTests {
    let input = MappingInput(verb: "GET", pathParameters: ["petId": "7", "proxy": "a/b"], query: ["q": "x y"], rawQuery: "q=x+y&z=1",
                             headers: ["x-client": "c1"], stageVariables: ["backend": "127.0.0.1:9000"], context: ["requestId": "r1"])

    @Test func httpMapsOnlyWhatIsDeclared() throws {
        let integration = Integration(type: .http, httpMethod: "POST", uri: "http://${stageVariables.backend}/pets/{id}",
                                      requestParameters: ["integration.request.path.id": "method.request.path.petId",
                                                          "integration.request.querystring.search": "method.request.querystring.q",
                                                          "integration.request.header.X-Client": "method.request.header.X-Client",
                                                          "integration.request.header.X-Fixed": "'yes'",
                                                          "integration.request.header.X-Req": "context.requestId"])
        let plan = try IntegrationMapping.plan(integration, input: input)
        #expect(plan.method == "POST")
        #expect(plan.url == "http://127.0.0.1:9000/pets/7?search=x%20y")
        #expect(plan.mappedHeaders.map { "\($0.name)=\($0.value)" } == ["X-Client=c1", "X-Fixed=yes", "X-Req=r1"])
        #expect(!plan.forwardsClientRequest)
    }

    @Test func proxyForwardsQueryAndFillsGreedyPath() throws {
        let integration = Integration(type: .httpProxy, httpMethod: "ANY", uri: "http://${stageVariables.backend}/{proxy}")
        let plan = try IntegrationMapping.plan(integration, input: input)
        #expect(plan.url == "http://127.0.0.1:9000/a/b?q=x+y&z=1")
        #expect(plan.method == "GET")
        #expect(plan.forwardsClientRequest)
    }

    @Test func missingStageVariableIsAConfigurationError() {
        let integration = Integration(type: .httpProxy, uri: "http://${stageVariables.nope}/x")
        #expect(throws: MappingError.self) { try IntegrationMapping.plan(integration, input: input) }
    }

    @Test func compiledSelectionMatchesTheWholeStatusAndFallsBackToTheDefault() {
        let selection = CompiledResponseSelection([
            "default": IntegrationResponse(statusCode: "200"),
            "5\\d{2}": IntegrationResponse(statusCode: "502", selectionPattern: "5\\d{2}"),
            "404": IntegrationResponse(statusCode: "410", selectionPattern: "404"),
        ])
        #expect(selection.select(status: 503)?.statusCode == "502")
        #expect(selection.select(status: 404)?.statusCode == "410")
        #expect(selection.select(status: 4040)?.statusCode == "200")
        #expect(selection.select(status: 201)?.statusCode == "200")
        #expect(CompiledResponseSelection([:]).select(status: 200) == nil)
    }

    @Test func mockSelectsResponseByRequestedStatus() {
        let integration = Integration(type: .mock, requestTemplates: ["application/json": "{\"statusCode\": 404}"],
                                      integrationResponses: [
                                        "default": IntegrationResponse(statusCode: "200", responseTemplates: ["application/json": "{}"]),
                                        "4\\d{2}": IntegrationResponse(statusCode: "404", selectionPattern: "4\\d{2}",
                                                                       responseParameters: ["method.response.header.X-Why": "'gone'"],
                                                                       responseTemplates: ["application/json": "{\"message\":\"gone\"}"]),
                                      ])
        let mock = CompiledMock(integration)
        let answer = mock.answer(accept: nil)
        #expect(mock.status == 404)
        #expect(answer.body == "{\"message\":\"gone\"}")
        #expect(answer.contentType == "application/json")
        #expect(mock.headers.map(\.value) == ["gone"])
        #expect(mock.answer(accept: "text/plain").contentType == "application/json")
    }
}
