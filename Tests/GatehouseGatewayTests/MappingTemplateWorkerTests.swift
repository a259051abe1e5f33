import Foundation
import GatehouseCore
import Testing

/// Issue 12, point 6: mapping templates through a real worker, a real backend process and curl — a response
/// template over the backend's JSON picked by `Accept`, a request template whose output is what the backend
/// receives, each passthrough behavior (415 through the API's gateway responses), a MOCK whose templates read
/// the request, and a template failing at run time: 500, with the line in the execution log.
@Suite struct MappingTemplateWorkerTests {
    static let api = #"""
        swagger: "2.0"
        info: {title: Templates, version: "1"}
        x-amazon-apigateway-gateway-responses:
          UNSUPPORTED_MEDIA_TYPE:
            responseTemplates:
              application/json: '{"error": "$context.error.message", "type": "$context.error.responseType"#if($input.params(''verbose'') == "1"), "resource": "$context.resourcePath"#end}'
        paths:
          /pets:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http
                httpMethod: GET
                uri: "http://${stageVariables.backend}/pets"
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates:
                      application/json: |
                        #set($inputRoot = $input.path('$'))
                        [
                        #foreach($elem in $inputRoot)
                          {"description": "Item $elem.id is a $elem.type.", "askingPrice": $elem.price}#if($foreach.hasNext),#end
                        #end
                        ]
                      application/xml: '<pets>#foreach($e in $input.path(''$''))<pet id="$e.id">$e.type</pet>#end</pets>'
          /orders:
            post:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http
                httpMethod: POST
                uri: "http://${stageVariables.backend}/echo"
                passthroughBehavior: when_no_templates
                requestTemplates:
                  application/json: |
                    {"orderId": "$input.params('id')", "items": $input.json('$.items'), "count": $input.path('$.items').size(),
                     "table": "$stageVariables.table", "agent": "$context.identity.userAgent",
                     "first": "$util.escapeJavaScript($input.path('$.items[0].name'))"}
                responses: {default: {statusCode: "200"}}
          /strict:
            post:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http
                httpMethod: POST
                uri: "http://${stageVariables.backend}/echo"
                passthroughBehavior: NEVER
                requestTemplates: {application/json: '{"wrapped": $input.json(''$'')}'}
                responses: {default: {statusCode: "200"}}
          /loose:
            post:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http
                httpMethod: POST
                uri: "http://${stageVariables.backend}/echo"
                requestTemplates: {application/json: '{"wrapped": $input.json(''$'')}'}
                responses: {default: {statusCode: "200"}}
          /broken:
            post:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http
                httpMethod: POST
                uri: "http://${stageVariables.backend}/echo"
                requestTemplates:
                  application/json: |
                    {
                      "parsed": $util.parseJson($input.path('$.payload'))
                    }
                responses: {default: {statusCode: "200"}}
          /mock/{code}:
            get:
              parameters: [{name: code, in: path, required: true, type: string}]
              responses: {"200": {description: ok}, "404": {description: missing}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": $input.params(''code'')}'}
                responses:
                  "4\\d{2}":
                    statusCode: "404"
                    responseTemplates: {application/json: '{"missing": "$input.params(''code'')", "requestId": "$context.requestId"}'}
                  default:
                    statusCode: "200"
                    responseTemplates: {application/json: '{"ok": true, "stage": "$context.stage", "q": "$input.params(''q'')"}'}
        """#

    @Test func templatesThroughARealWorker() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let spec = dir.path("api.yaml"), db = dir.path("g.db")
        try Self.api.write(toFile: spec, atomically: true, encoding: .utf8)
        let imported = try await gatehouse("import", spec, "--store", db)
        #expect(imported.status == 0, "\(imported)")
        let apiId = imported.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let deployed = try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod",
                                           "--var", "backend=127.0.0.1:\(backend.port)", "--var", "table=orders-v2")
        #expect(deployed.status == 0, "\(deployed)")
        #expect(try await gatehouse("logging", "set", "--store", db, "--api", apiId, "--stage", "prod", "--level", "ERROR").status == 0)
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        func call(_ path: String, _ extra: [String] = []) async throws -> (Int, String) {
            statusAndBody(try await curl(["-s", "-w", "\n%{http_code}", "-A", "template-test/1"] + extra + [base + path]).stdout)
        }
        func json(_ text: String) throws -> TemplateValue { try TemplateJSON.parse(text) }

        // A response template over the backend's JSON, picked by Accept.
        let pets = try await call("/pets")
        #expect(pets.0 == 200)
        #expect(try json(pets.1) == json(#"""
            [{"description": "Item 1 is a dog.", "askingPrice": 249.99}, {"description": "Item 2 is a cat.", "askingPrice": 124.99},
             {"description": "Item 3 is a fish.", "askingPrice": 0.99}]
            """#), "\(pets.1)")
        let xml = try await curl(["-s", "-i", "-H", "Accept: application/xml", base + "/pets"])
        #expect(xml.stdout.contains(#"<pets><pet id="1">dog</pet><pet id="2">cat</pet><pet id="3">fish</pet></pets>"#), "\(xml.stdout)")
        #expect(xml.stdout.lowercased().contains("content-type: application/xml"), "\(xml.stdout)")

        // A request template: the backend receives what it rendered.
        let order = try await call("/orders?id=o-7", ["-X", "POST", "-H", "Content-Type: application/json",
                                                      "--data-binary", #"{"items": [{"name": "it's \"big\""}, {"name": "b"}]}"#])
        #expect(order.0 == 200, "\(order)")
        guard case .map(let echoed) = try json(order.1), case .string(let sent)? = echoed["body"] else {
            Issue.record("the echo has no body: \(order.1)")
            return
        }
        // escapeJavaScript writes `'` as `\'` (not JSON, as AWS warns): undone before reading the rest as JSON.
        #expect(try json(sent.replacingOccurrences(of: "\\'", with: "'")) == json(#"""
            {"orderId": "o-7", "items": [{"name": "it's \"big\""}, {"name": "b"}], "count": 2, "table": "orders-v2",
             "agent": "template-test/1", "first": "it's \"big\""}
            """#), "\(sent)")
        #expect(sent.contains(#""first": "it\'s \"big\"""#), "escapeJavaScript escapes quotes as Java does: \(sent)")

        // WHEN_NO_TEMPLATES with templates, and NEVER: a content type without a template is 415, through the
        // API's gateway response (a template with #if over the request).
        let refused = try await call("/orders?verbose=1", ["-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "hi"])
        #expect(refused.0 == 415, "\(refused)")
        #expect(try json(refused.1) == json(#"{"error": "Unsupported Media Type", "type": "UNSUPPORTED_MEDIA_TYPE", "resource": "/orders"}"#), "\(refused.1)")
        #expect(try await call("/strict", ["-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "hi"]).0 == 415)
        let wrapped = try await call("/strict", ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", #"{"a":1}"#])
        #expect(wrapped.1.contains(#"\"wrapped\": {\"a\":1}"#), "\(wrapped)")
        // WHEN_NO_MATCH (the default): the body passes through untouched.
        let loose = try await call("/loose", ["-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "plain words"])
        #expect(loose.0 == 200 && loose.1.contains(#""body":"plain words""#), "\(loose)")

        // A MOCK whose templates read the request: the status and the body come from them.
        let found = try await call("/mock/200?q=x")
        #expect(found.0 == 200, "\(found)")
        #expect(try json(found.1) == json(#"{"ok": true, "stage": "prod", "q": "x"}"#), "\(found)")
        let missing = try await curl(["-s", "-i", base + "/mock/404"])
        #expect(missing.stdout.hasPrefix("HTTP/1.1 404"), "\(missing.stdout)")
        let requestId = missing.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-amzn-requestid:") }?
            .split(separator: " ").last.map(String.init) ?? "?"
        #expect(missing.stdout.contains(#"{"missing": "404", "requestId": "\#(requestId)"}"#), "\(missing.stdout)")

        // A template failing while it renders: 500, and the execution log names the template and its line.
        let broken = try await curl(["-s", "-i", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", #"{"payload": "{not json"}"#,
                                     base + "/broken"])
        #expect(broken.stdout.hasPrefix("HTTP/1.1 500"), "\(broken.stdout)")
        #expect(broken.stdout.hasSuffix(#"{"message":"Internal server error"}"#), "\(broken.stdout)")
        let brokenId = try #require(broken.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-amzn-requestid:") }?
            .split(separator: " ").last.map(String.init))
        var log = ""
        try await waitUntilAsync("the failed call's execution log") {
            log = try await gatehouse("logging", "execution", brokenId, "--store", db).stdout
            return log.contains("Method completed")
        }
        #expect(log.contains("the request template for application/json: line 2, column"), "\(log)")
        #expect(log.contains("$util.parseJson()"), "\(log)")
    }

    @Test func importRefusesATemplateThatDoesNotParse() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let spec = dir.path("api.yaml")
        try """
            swagger: "2.0"
            info: {title: Broken, version: "1"}
            paths:
              /a:
                get:
                  responses: {"200": {description: ok}}
                  x-amazon-apigateway-integration:
                    type: mock
                    requestTemplates:
                      application/json: |
                        {"statusCode": 200}
                        #if($input.params('x') == 1)
                    responses: {default: {statusCode: "200"}}
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        let result = try await gatehouse("import", spec, "--store", dir.path("g.db"))
        #expect(result.status != 0)
        #expect(result.stderr.contains("error: line 10, paths./a.get.x-amazon-apigateway-integration.requestTemplates.application/json"), "the document's line: \(result.stderr)")
        #expect(result.stderr.contains("the request template for application/json does not parse: template line 2, column 1: #if is not closed with #end"),
                "\(result.stderr)")
        if FileManager.default.fileExists(atPath: dir.path("g.db")) {
            let apis = try await gatehouse("apis", "--store", dir.path("g.db"))
            #expect(!apis.stdout.contains("Broken"), "nothing is half-imported: \(apis.stdout)")
        }
    }
}
