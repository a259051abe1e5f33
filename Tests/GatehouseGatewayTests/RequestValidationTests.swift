import Foundation
import GatehouseCore
import GatehouseStore
import Testing

/// Issue 12, point 3 (parameters): AWS's request-validation sample shape through a real worker: required query
/// and header parameters refused with AWS's 400 and message, the validator a method names over the API's
/// default, the reason in the access log, the CLI, and the round trip.
@Suite struct RequestValidationTests {
    static let api = """
        swagger: "2.0"
        info: {title: ReqValidators Sample, version: "1"}
        x-amazon-apigateway-request-validators:
          all: {validateRequestBody: true, validateRequestParameters: true}
          params-only: {validateRequestBody: false, validateRequestParameters: true}
          none: {validateRequestBody: false, validateRequestParameters: false}
        x-amazon-apigateway-request-validator: params-only
        definitions:
          Order:
            type: object
            required: [id, items]
            additionalProperties: false
            properties:
              id: {type: string, pattern: "^o-[0-9]+$"}
              items: {type: array, minItems: 1, items: {$ref: "#/definitions/Item"}}
          Item:
            type: object
            required: [sku]
            properties: {sku: {type: string}, quantity: {type: integer, minimum: 1}}
        paths:
          /validation:
            get:
              parameters:
                - {name: q1, in: query, required: true, type: string}
                - {name: h1, in: header, required: true, type: string}
                - {name: optional, in: query, required: false, type: string}
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
          /orders:
            post:
              x-amazon-apigateway-request-validator: all
              consumes: [application/json]
              parameters: [{in: body, name: Order, required: true, schema: {$ref: "#/definitions/Order"}}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
          /lenient:
            get:
              parameters: [{name: q1, in: query, required: true, type: string}]
              x-amazon-apigateway-request-validator: none
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
        """

    @Test func requiredParametersAreValidated() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let spec = dir.path("api.yaml")
        try Self.api.write(toFile: spec, atomically: true, encoding: .utf8)
        let db = dir.path("g.db")
        let imported = try await gatehouse("import", spec, "--store", db)
        #expect(imported.status == 0, "\(imported)")
        let apiId = imported.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod").status == 0)
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        func call(_ path: String, _ extra: [String] = []) async throws -> (Int, String) {
            statusAndBody(try await curl(["-w", "\n%{http_code}"] + extra + [base + path]).stdout)
        }
        let none = try await call("/validation")
        #expect(none.0 == 400 && none.1 == #"{"message":"Missing required request parameters: [q1, h1]"}"#, "\(none)")
        #expect(try await call("/validation?q1=a").1 == #"{"message":"Missing required request parameters: [h1]"}"#)
        #expect(try await call("/validation?q1=a", ["-H", "h1: x"]).0 == 200)
        // Bodies against the model: valid, invalid (the reason in the access log), not JSON, absent.
        func post(_ body: String?) async throws -> (Int, String) {
            try await call("/orders", ["-X", "POST", "-H", "Content-Type: application/json"] + (body.map { ["--data-binary", $0] } ?? []))
        }
        #expect(try await post(#"{"id": "o-1", "items": [{"sku": "a", "quantity": 2}]}"#).0 == 200)
        let wrong = try await post(#"{"id": "o-1", "items": [{"sku": 7}]}"#)
        #expect(wrong.0 == 400 && wrong.1 == #"{"message":"Invalid request body"}"#, "\(wrong)")
        #expect(try await post(#"{"id": "x", "items": [{"sku": "a"}]}"#).0 == 400, "pattern")
        #expect(try await post(#"{"id": "o-1", "items": []}"#).0 == 400, "minItems")
        #expect(try await post(#"{"id": "o-1", "items": [{"sku": "a"}], "extra": 1}"#).0 == 400, "additionalProperties")
        #expect(try await post("not json").0 == 400)
        #expect(try await post(nil).0 == 400)
        try await waitUntil("the body's reason is logged") {
            try Store(path: db, access: .readOnly).accessLog(after: 0, limit: 50).contains {
                $0.record.error?.contains("model Order: $.items[0].sku: expected string, got integer") == true
            }
        }
        // The method's own validator (none) over the API's default.
        #expect(try await call("/lenient").0 == 200)
        // The reason is in the access log (the console's Logs shows the error column).
        try await waitUntil("the refusals are logged") {
            try Store(path: db, access: .readOnly).accessLog(after: 0, limit: 20).contains {
                $0.record.error?.hasPrefix("BAD_REQUEST_PARAMETERS") == true && $0.record.status == 400
            }
        }
        // The CLI: point /lenient at the strict validator, deploy, and it is refused too.
        #expect(try await gatehouse("method", "set", "--store", db, "--api", apiId, "--method", "GET /lenient", "--validator", "all").status == 0)
        let unknown = try await gatehouse("method", "set", "--store", db, "--api", apiId, "--method", "GET /lenient", "--validator", "nope")
        #expect(unknown.status != 0 && unknown.stderr.contains("request validator 'nope'"), "\(unknown.stderr)")
        #expect(try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod").status == 0)
        try await waitUntilAsync("the new validator is served") { try await call("/lenient").0 == 400 }
        #expect(try await gatehouse("validator", "list", "--store", db, "--api", apiId).stdout.contains("params-only\ttrue\tfalse\tyes"))
        // The round trip keeps the validators and each method's choice.
        let exported = try await gatehouse("export", "--store", db, "--api", apiId, "--stage", "prod", "--yaml").stdout
        #expect(exported.contains("x-amazon-apigateway-request-validators") && exported.contains("x-amazon-apigateway-request-validator: params-only")
                && exported.contains("x-amazon-apigateway-request-validator: all"), "\(exported)")
    }
}
