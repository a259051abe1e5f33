import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1

/// Builds a call's execution-log lines, as API Gateway's execution logs read: ERROR logs failed calls,
/// INFO every call; with data trace, headers (secrets redacted) and the first KiB of each body.
enum ExecutionLog {
    static func lines(stage: Stage, context: RequestContext, head: HTTPRequestHead, record: AccessLogRecord,
                      bodies: (request: ByteBuffer, response: ByteBuffer), responseHeaders: HTTPHeaders) -> [String]? {
        let methodKey = context.match.map { Stage.methodSettingsKey(resourcePath: $0.resource.path, httpMethod: $0.method.httpMethod) }
        let setting = methodKey.flatMap { stage.methodSettings[$0] }
        let defaults = stage.methodSettings[Stage.defaultSettingsKey]
        let level = setting?.loggingLevel ?? defaults?.loggingLevel ?? .off
        let trace = setting?.dataTraceEnabled ?? defaults?.dataTraceEnabled ?? false
        let failed = record.status >= 500 || (record.error != nil && record.status >= 400)
        switch level {
        case .off: return nil
        case .error where !failed: return nil
        default: break
        }
        var lines = ["Starting execution for request: \(record.requestId)",
                     "HTTP Method: \(record.httpMethod), Resource Path: \(context.stagePath ?? head.uri)"]
        if let match = context.match {
            lines.append("Matched resource \(match.resource.path) method \(match.method.httpMethod)")
            if level == .info && trace {
                lines.append("Method request path: \(sorted(match.pathParameters))")
                let query = head.uri.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
                lines.append("Method request query string: {\(query)}")
                lines.append("Method request headers: \(Redaction.headers(head.headers.map { ($0.name, $0.value) }))")
                lines.append("Method request body before transformations: \(text(bodies.request))")
            }
        }
        if let url = context.integrationURL {
            // What went to the backend, after mapping (AWS's lines), secrets redacted.
            lines.append("Endpoint request URI: \(url)")
            if level == .info { lines.append("Endpoint request headers: \(Redaction.headers(context.integrationHeaders))") }
            if level == .info && trace { lines.append("Endpoint request body after transformations: \(text(bodies.request))") }
        }
        if let status = context.integrationStatus {
            lines.append("Received response. Status: \(status), Integration latency: \(Int((context.integrationLatencyMs ?? 0).rounded())) ms")
            if level == .info && trace {
                lines.append("Endpoint response headers: \(Redaction.headers(context.backendHeaders))")
                lines.append("Endpoint response body before transformations: \(text(bodies.response))")
            }
        }
        if let error = record.error {
            lines.append("Execution failed: \(error)")
        }
        if level == .info && trace {
            lines.append("Method response headers: \(Redaction.headers(responseHeaders.map { ($0.name, $0.value) }))")
            lines.append("Method response body after transformations: \(text(bodies.response))")
        }
        lines.append("Method completed with status: \(record.status)")
        return lines
    }

    static func sorted(_ parameters: [String: String]) -> String {
        "{" + parameters.keys.sorted().map { "\($0)=\(parameters[$0] ?? "")" }.joined(separator: ", ") + "}"
    }

    static func text(_ buffer: ByteBuffer) -> String {
        guard buffer.readableBytes > 0 else { return "(empty)" }
        let text = String(buffer: buffer)
        return buffer.readableBytes >= LogStage.tracedBodyBytes ? text + " [TRUNCATED]" : text
    }
}
