import Foundation
import GatehouseCore
import Testing

/// Issue 12, point 7: `x-amazon-apigateway-minimum-compression-size` (gzip or deflate by Accept-Encoding, buffered
/// and streamed bodies, through curl --compressed and by hand) and binary bodies from a MOCK with
/// CONVERT_TO_BINARY; the settings survive the round trip.
@Suite struct CompressionAndBinaryTests {
    // 1x1 PNG.
    static let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

    static let api = """
        openapi: 3.0.1
        info: {title: Compressed, version: "1"}
        x-amazon-apigateway-minimum-compression-size: 100
        x-amazon-apigateway-binary-media-types: [image/png]
        paths:
          /pets:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/pets"}
          /stream:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/stream"}
          /small:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"small": true}'}}}
          /logo:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default:
                    statusCode: "200"
                    contentHandling: CONVERT_TO_BINARY
                    responseTemplates: {image/png: "\(png)"}
        """

    @Test func largeAnswersAreCompressedAndBinaryMocksAnswerBytes() async throws {
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.api, backend: "127.0.0.1:\(backend.port)")
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        let plain = try await curl([base + "/pets"]).stdout
        #expect(plain.count >= 100, "the backend's list is over the threshold: \(plain.count) bytes")
        // curl --compressed asks for gzip and decodes: the same body, and the headers say gzip.
        let headers = dir.path("h.txt")
        let decoded = try await curl(["--compressed", "-D", headers, base + "/pets"]).stdout
        #expect(decoded == plain)
        let sent = try String(contentsOfFile: headers, encoding: .utf8).lowercased()
        #expect(sent.contains("content-encoding: gzip") && sent.contains("vary: accept-encoding"), "\(sent)")
        // Raw bytes are gzip (1f 8b) and smaller; deflate when that is all the client takes; none at q=0.
        let raw = dir.path("raw.bin")
        _ = try await curl(["-H", "Accept-Encoding: gzip", "-o", raw, base + "/pets"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: raw))
        #expect(bytes.prefix(2) == Data([0x1f, 0x8b]) && bytes.count < plain.utf8.count, "\(bytes.count) bytes")
        let deflated = try await curl(["-D", "-", "-o", "/dev/null", "-H", "Accept-Encoding: deflate", base + "/pets"]).stdout.lowercased()
        #expect(deflated.contains("content-encoding: deflate"), "\(deflated)")
        let refused = try await curl(["-D", "-", "-o", "/dev/null", "-H", "Accept-Encoding: gzip;q=0", base + "/pets"]).stdout.lowercased()
        #expect(!refused.contains("content-encoding"), "\(refused)")
        // Below the threshold: as it is.
        let small = try await curl(["-D", "-", "-H", "Accept-Encoding: gzip", base + "/small"]).stdout
        #expect(!small.lowercased().contains("content-encoding") && small.hasSuffix(#"{"small": true}"#), "\(small)")
        // A streamed (chunked) backend body is compressed as it streams.
        let streamed = try await curl(["--compressed", "-D", "-", base + "/stream?chunks=4&delay=20"]).stdout
        #expect(streamed.lowercased().contains("content-encoding: gzip") && streamed.lowercased().contains("transfer-encoding: chunked"), "\(streamed)")
        let lines = streamed.components(separatedBy: "\r\n\r\n").last?.split(separator: "\n") ?? []
        #expect(lines.count == 4 && lines.enumerated().allSatisfy { $0.element.hasPrefix("chunk \($0.offset) ") }, "the decoded stream is the backend's: \(lines)")

        // CONVERT_TO_BINARY: the template's base64 is answered as the PNG's bytes.
        let logo = dir.path("logo.png")
        let type = try await curl(["-H", "Accept: image/png", "-o", logo, "-w", "%{content_type}", base + "/logo"]).stdout
        #expect(type == "image/png")
        #expect(try Data(contentsOf: URL(fileURLWithPath: logo)) == Data(base64Encoded: Self.png))

        let exported = try await gatehouse("export", "--store", db, "--api", apiId, "--stage", "prod", "--yaml").stdout
        #expect(exported.contains("x-amazon-apigateway-minimum-compression-size: 100") && exported.contains("x-amazon-apigateway-binary-media-types")
                && exported.contains("contentHandling: CONVERT_TO_BINARY"), "\(exported)")
    }

    /// contentHandling on an HTTP integration, both ways, by AWS's conversion tables (the payload is binary when
    /// its content type is one of the API's binary media types); a gzip request body is decoded before a request
    /// template reads it (the API takes compressed bodies: it has a minimum compression size).
    static let conversions = """
        swagger: "2.0"
        info: {title: Conversions, version: "1"}
        x-amazon-apigateway-minimum-compression-size: 1000
        x-amazon-apigateway-binary-media-types: [image/png]
        paths:
          /upload:
            post:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                {type: http, httpMethod: POST, uri: "http://${stageVariables.backend}/echo", contentHandling: CONVERT_TO_TEXT, responses: {default: {statusCode: "200"}}}
          /decode:
            post:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                {type: http, httpMethod: POST, uri: "http://${stageVariables.backend}/echo", contentHandling: CONVERT_TO_BINARY, responses: {default: {statusCode: "200"}}}
          /gzipped:
            post:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: http
                httpMethod: POST
                uri: "http://${stageVariables.backend}/echo"
                requestTemplates: {application/json: '{"name": "$input.path(''$.name'')"}'}
                responses: {default: {statusCode: "200"}}
          /picture:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                {type: http, httpMethod: GET, uri: "http://${stageVariables.picture}/p", responses: {default: {statusCode: "200", contentHandling: CONVERT_TO_TEXT}}}
          /text:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                {type: http, httpMethod: GET, uri: "http://${stageVariables.text}/t", responses: {default: {statusCode: "200", contentHandling: CONVERT_TO_BINARY}}}
        """

    @Test func contentHandlingConvertsHTTPPayloadsBothWays() async throws {
        let backend = try await BackendProcess()
        defer { backend.stop() }
        let picture = try await ScriptedBackend([.send("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 5\r\n\r\nhello"), .close])
        let text = try await ScriptedBackend([.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\nd29ybGQ="), .close])
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, apiText: Self.conversions, deploy: false)
        let deployed = try await gatehouse("deploy", "--store", db, "--api", apiId, "--stage", "prod", "--var", "backend=127.0.0.1:\(backend.port)",
                                           "--var", "picture=127.0.0.1:\(picture.port)", "--var", "text=127.0.0.1:\(text.port)")
        #expect(deployed.status == 0, "\(deployed)")
        let (worker, port) = try await startWorker(db)
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)/restapis/\(apiId)/prod/_user_request_"
        func echoedBody(_ output: String) -> String? {
            guard case .map(let echo)? = try? TemplateJSON.parse(output), case .string(let body)? = echo["body"] else { return nil }
            return body
        }
        // Request: binary → base64 text (CONVERT_TO_TEXT); base64 text → bytes (CONVERT_TO_BINARY).
        let png = dir.path("logo.png")
        try #require(Data(base64Encoded: Self.png)).write(to: URL(fileURLWithPath: png))
        let uploaded = try await curl(["-X", "POST", "-H", "Content-Type: image/png", "--data-binary", "@" + png, base + "/upload"])
        #expect(echoedBody(uploaded.stdout) == Self.png, "\(uploaded.stdout)")
        let decoded = try await curl(["-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "aGVsbG8=", base + "/decode"])
        #expect(echoedBody(decoded.stdout) == "hello", "\(decoded.stdout)")
        let notBase64 = try await curl(["-w", "\n%{http_code}", "-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "not base64!", base + "/decode"])
        #expect(statusAndBody(notBase64.stdout).0 == 400, "\(notBase64.stdout)")
        // A gzip body is decoded before the template reads it.
        let json = dir.path("body.json.gz")
        try Data(#"{"name": "Rex"}"#.utf8).write(to: URL(fileURLWithPath: dir.path("body.json")))
        _ = try await run("/bin/sh", ["-c", "gzip -c '\(dir.path("body.json"))' > '\(json)'"])
        let unzipped = try await curl(["-X", "POST", "-H", "Content-Type: application/json", "-H", "Content-Encoding: gzip",
                                       "--data-binary", "@" + json, base + "/gzipped"])
        #expect(echoedBody(unzipped.stdout) == #"{"name": "Rex"}"#, "\(unzipped.stdout)")
        // Response: a binary backend body → base64 text; a base64 text body → its bytes.
        #expect(try await curl([base + "/picture"]).stdout == "aGVsbG8=")
        #expect(try await curl([base + "/text"]).stdout == "world")
        await picture.stop()
        await text.stop()
    }
}
