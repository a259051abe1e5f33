import Foundation
import GatehouseCore

/// Any text as an access-log format: rendering must never crash, and a JSON format's values stay escaped.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAccessLogFormat(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let record = AccessLogRecord(requestId: "r", time: Date(timeIntervalSince1970: 0), apiId: "a", stage: "s", resourcePath: "/p",
                                 httpMethod: "GET", path: "/p?\(text)", status: 200, latencyMs: 1, integrationLatencyMs: nil,
                                 requestBytes: 0, responseBytes: 0, apiKeyId: nil, sourceIp: "127.0.0.1", userAgent: text,
                                 error: nil, throttled: false)
    let values = AccessLogFormatter.values(record, stagePath: "/p", protocolVersion: "HTTP/1.1", host: text)
    _ = AccessLogFormatter.render(AccessLogSettings.resolve(text), values: values)
    return 0
}
