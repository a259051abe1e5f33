import Foundation
import GatehouseCore
import Testing

@Suite struct AccessLogFormatTests {
    let record = AccessLogRecord(requestId: "req-1", time: Date(timeIntervalSince1970: 1_800_000_000), apiId: "a1", stage: "prod",
                                 resourcePath: "/pets/{id}", httpMethod: "GET", path: "/restapis/a1/prod/_user_request_/pets/7", status: 404,
                                 latencyMs: 12.4, integrationLatencyMs: 10.6, responseBytes: 33, sourceIp: "10.0.0.9",
                                 userAgent: "curl \"quoted\"", error: nil)

    @Test func clfAndJsonPresets() throws {
        let values = AccessLogFormatter.values(record, stagePath: "/pets/7", protocolVersion: "HTTP/1.1", host: "h")
        let clf = AccessLogFormatter.render(AccessLogSettings.clf, values: values)
        #expect(clf == #"10.0.0.9 - - [15/Jan/2027:08:00:00 +0000] "GET /pets/7 HTTP/1.1" 404 33"#)
        let json = AccessLogFormatter.render(AccessLogSettings.json, values: values)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
        #expect(object["requestId"] == "req-1")
        #expect(object["userAgent"] == #"curl "quoted""#, "values are escaped inside a JSON format")
        #expect(object["integrationLatency"] == "11")
        #expect(object["error"] == "-")
    }

    @Test func unknownVariablesAreDashesAndLongestNamesWin() {
        let values = AccessLogFormatter.values(record, stagePath: "/pets/7", protocolVersion: "HTTP/1.1", host: nil)
        #expect(AccessLogFormatter.render("$context.nope|$context.identity.sourceIp|$context.status.", values: values) == "-|10.0.0.9|404.")
    }

    @Test func redactsSecrets() {
        let text = Redaction.headers([("Authorization", "Bearer s3cret"), ("X-API-Key", "k"), ("Cookie", "a=b"), ("Accept", "*/*")])
        #expect(!text.contains("s3cret") && !text.contains("a=b"))
        #expect(text.contains("Accept=*/*"))
        #expect(text.contains("Authorization=*** (redacted)"))
    }
}
