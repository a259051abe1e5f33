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
}
