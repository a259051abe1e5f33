import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1

/// The last stage: after the response is written, turns the call into one access-log record (formatted
/// as the stage's access-log settings ask, with execution-log lines where logging is on), hands it to the
/// telemetry queue and counts it in the metrics. It never waits on disk.
struct LogStage: Sendable {
    let telemetry: TelemetryQueue
    let metrics: GatewayMetrics

    /// What the transport saw of one call.
    struct Call {
        var head: HTTPRequestHead
        var receivedAt: NIODeadline
        var receivedDate: Date
        var sourceIp: String?
        var status: Int
        var requestBytes: Int
        var responseBytes: Int
        var failure: String?
        var requestPrefix: ByteBuffer
        var responsePrefix: ByteBuffer
        var responseHeaders: HTTPHeaders
    }

    func record(_ call: Call, context: RequestContext) {
        let latency = Double((NIODeadline.now() - call.receivedAt).nanoseconds) / 1_000_000
        var record = AccessLogRecord(
            requestId: "", time: call.receivedDate, apiId: context.target?.apiId,
            stage: context.target?.stageName, resourcePath: context.match?.resourcePath, httpMethod: call.head.method.rawValue,
            path: call.head.uri, status: call.status, latencyMs: latency, integrationLatencyMs: context.integrationLatencyMs,
            requestBytes: call.requestBytes, responseBytes: call.responseBytes, apiKeyId: context.apiKeyId, sourceIp: call.sourceIp,
            userAgent: call.head.headers.first(name: "user-agent"),
            error: context.failure?.description ?? call.failure, throttled: context.throttled,
            throttledByAccount: context.throttledByAccount)
        // As the connection made it: bits, whose text the writer makes off the loop.
        record.requestIdentity = context.requestIdentity
        record.cacheResult = context.cacheResult
        record.principal = context.callerAccessKey ?? context.principalId
        // Read through the route (a reference): binding `.binding.stage` to a name copied the stage's settings.
        if let route = context.stage {
            if let settings = route.binding.stage.accessLogSettings {
                var values = AccessLogFormatter.values(record, stagePath: context.stagePath ?? call.head.uri,
                                                       protocolVersion: "HTTP/\(call.head.version.major).\(call.head.version.minor)",
                                                       host: call.head.headers.first(name: "host"))
                Self.addAuthorizerValues(context, to: &values)
                record.formatted = AccessLogFormatter.render(settings.format, values: values)
                record.sink = settings.file == nil ? nil : settings
            }
            if let method = context.method, method.executionLogging != .off {
                record.execution = ExecutionLog.lines(stage: route.binding.stage, context: context, head: call.head, record: record,
                                                      bodies: (call.requestPrefix, call.responsePrefix), responseHeaders: call.responseHeaders)
            }
        }
        if let series = context.method?.series {
            metrics.record(record, in: series)
        } else {
            metrics.record(record, routed: context.match != nil)
        }
        if let authorizer = context.authorizerName, let api = context.target?.apiId {
            metrics.countAuthorization(api: api, authorizer: authorizer, type: context.authorizerType ?? "", result: Self.authorizationResult(context),
                                       cached: context.authorizerCached)
        }
        telemetry.enqueue(record)
    }

    /// What the authorizer decided: `allowed`, or how it refused (`GatewayResponseType.authorizationRefusal`).
    static func authorizationResult(_ context: RequestContext) -> String {
        context.failure?.type.authorizationRefusal ?? "allowed"
    }

    /// The authorizer's `$context` variables: the signer, the principal, why it refused, how long it took,
    /// whether its answer came from its cache, and every claim (`authorizer.claims.NAME`) and context key.
    static func addAuthorizerValues(_ context: RequestContext, to values: inout [String: String]) {
        values["identity.accessKey"] = context.callerAccessKey ?? "-"
        values["identity.userArn"] = context.callerArn ?? "-"
        values["authorizer.principalId"] = context.principalId ?? "-"
        let refusal = context.failure.flatMap { $0.type.authorizationRefusal == nil ? nil : $0 }
        values["authorizer.error"] = refusal.map { $0.detail ?? $0.type.message } ?? "-"
        let latency = context.authorizerLatencyMs.map { String(Int($0.rounded())) } ?? "-"
        values["authorizer.latency"] = latency
        values["authorizer.integrationLatency"] = latency
        values["authorizer.cached"] = context.authorizerCached ? "true" : "false"
        for (name, value) in context.authorizerClaims { values["authorizer.claims." + name] = value }
        for (name, value) in context.authorizerContext where values["authorizer." + name] == nil { values["authorizer." + name] = value }
        for (name, value) in context.clientCertificateValues { values[name] = value }
    }

    /// How much of a body execution logging keeps (as AWS, 1 KiB).
    static let tracedBodyBytes = 1024

    /// Copies the start of `chunk` into `prefix` until it holds `tracedBodyBytes`.
    static func keepTracedPrefix(of chunk: ByteBuffer, in prefix: inout ByteBuffer) {
        let room = tracedBodyBytes - prefix.readableBytes
        guard room > 0, var slice = chunk.getSlice(at: chunk.readerIndex, length: min(chunk.readableBytes, room)) else { return }
        prefix.writeBuffer(&slice)
    }
}
