import Foundation
import GatehouseCore
import NIOConcurrencyHelpers
import Prometheus
import Synchronization

/// The worker's Prometheus metrics. Labels are bounded by configuration: API, stage, resource template and
/// method of a matched route, and a status class; never a key, a path value or anything a client chooses.
public final class GatewayMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    /// Failed TLS handshakes in all, for the heartbeat row the console reads.
    let handshakeFailures = Atomic<Int>(0)
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 29]

    /// The series of one method, looked up once and kept, so a request costs one dictionary lookup.
    /// A class: each call's method holds one, and a reference is one retain where the struct was six.
    final class Series: Sendable {
        let requests: [Counter]  // by status class 1xx…5xx
        let throttled: Counter
        /// Answered by the stage cache, and looked up there without an answer.
        let cacheHits: Counter
        let cacheMisses: Counter
        let latency: ValueHistogram
        let integration: ValueHistogram

        init(requests: [Counter], throttled: Counter, cacheHits: Counter, cacheMisses: Counter, latency: ValueHistogram,
             integration: ValueHistogram) {
            self.requests = requests
            self.throttled = throttled
            self.cacheHits = cacheHits
            self.cacheMisses = cacheMisses
            self.latency = latency
            self.integration = integration
        }
    }

    struct SeriesKey: Hashable {
        var api: String
        var stage: String
        var resource: String
        var method: String
    }

    private let series = NIOLockedValueBox<[SeriesKey: Series]>([:])

    public init() {}

    /// A metric's name and help text as swift-prometheus wants them (no unit suffix: the names carry theirs).
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    func series(for key: SeriesKey) -> Series {
        if let found = series.withLockedValue({ $0[key] }) { return found }
        let labels = [("api", key.api), ("stage", key.stage), ("resource", key.resource), ("method", key.method)]
        let made = Series(
            requests: (1...5).map { registry.makeCounter(descriptor: Self.descriptor("gatehouse_requests_total", "Requests served, by API, stage, resource, method and status class"), labels: labels + [("status_class", "\($0)xx")]) },
            throttled: registry.makeCounter(descriptor: Self.descriptor("gatehouse_throttled_requests_total", "Requests answered 429 by a throttle"), labels: labels),
            cacheHits: registry.makeCounter(descriptor: Self.descriptor("gatehouse_cache_hits_total", "Requests answered from the stage cache"), labels: labels),
            cacheMisses: registry.makeCounter(descriptor: Self.descriptor("gatehouse_cache_misses_total", "Requests the stage cache could not answer (sent to the integration)"), labels: labels),
            latency: registry.makeValueHistogram(descriptor: Self.descriptor("gatehouse_request_duration_seconds", "Latency as the client sees it, in seconds"), labels: labels, buckets: Self.latencyBuckets),
            integration: registry.makeValueHistogram(descriptor: Self.descriptor("gatehouse_integration_duration_seconds", "Backend latency, in seconds"), labels: labels, buckets: Self.latencyBuckets))
        series.withLockedValue { $0[key] = made }
        return made
    }

    /// Counts one finished call.
    func record(_ record: AccessLogRecord, routed: Bool) {
        let statusClass = "\(record.status / 100)xx"
        guard routed, let api = record.apiId, let stage = record.stage, let resource = record.resourcePath else {
            registry.makeCounter(descriptor: Self.descriptor("gatehouse_unrouted_requests_total", "Requests that matched no deployed method, by status class"), labels: [("status_class", statusClass)]).increment()
            return
        }
        self.record(record, in: series(for: SeriesKey(api: api, stage: stage, resource: resource, method: record.httpMethod)))
    }

    /// Counts one finished call in series looked up when its method was compiled.
    func record(_ record: AccessLogRecord, in handles: Series) {
        handles.requests[min(4, max(0, record.status / 100 - 1))].increment()
        if record.throttled { handles.throttled.increment() }
        if let cache = record.cacheResult { (cache == .hit ? handles.cacheHits : handles.cacheMisses).increment() }
        handles.latency.record(record.latencyMs / 1000)
        if let integration = record.integrationLatencyMs { handles.integration.record(integration / 1000) }
    }

    /// Counts one authorization: by API, authorizer (`sigv4` for AWS_IAM), type and result; and the answers a
    /// custom authorizer's cache gave. Labels come from configuration, never from the caller.
    func countAuthorization(api: String, authorizer: String, type: String, result: String, cached: Bool) {
        registry.makeCounter(descriptor: Self.descriptor("gatehouse_authorizer_requests_total", "Calls an authorizer decided (SigV4, JWT, TOKEN, REQUEST), by result"), labels: [("api", api), ("authorizer", authorizer), ("type", type), ("result", result)]).increment()
        if cached {
            registry.makeCounter(descriptor: Self.descriptor("gatehouse_authorizer_cache_hits_total", "Custom authorizer decisions answered from the authorizer cache"), labels: [("api", api), ("authorizer", authorizer)]).increment()
        }
    }

    /// Counts a TLS handshake that did not complete, by why (`no_sni`, `unknown_domain`, `handshake`, …).
    func countHandshakeFailure(reason: String) {
        handshakeFailures.add(1, ordering: .relaxed)
        registry.makeCounter(descriptor: Self.descriptor("gatehouse_tls_handshake_failures_total", "TLS handshakes that failed (no certificate for the name, a refused client certificate, a broken hello)"), labels: [("reason", reason)]).increment()
    }

    /// Each custom domain's certificate: seconds until it expires, and whether that is under 30 days.
    func updateCertificates(_ expiries: [(domain: String, notAfter: Date)], now: Date = Date()) {
        for (domain, notAfter) in expiries {
            let left = notAfter.timeIntervalSince(now)
            registry.makeGauge(descriptor: Self.descriptor("gatehouse_certificate_expiry_seconds", "Seconds until the custom domain's certificate expires"), labels: [("domain", domain)]).set(Double(left))
            registry.makeGauge(descriptor: Self.descriptor("gatehouse_certificate_expiring", "1 when the custom domain's certificate expires within 30 days"), labels: [("domain", domain)]).set(Double(left < 30 * 86_400 ? 1 : 0))
        }
    }

    /// Gauges read at scrape time.
    func update(configVersion: Int64, telemetryDropped: Int, telemetryWriteFailures: Int, connections: Int, inFlight: Int) {
        registry.makeGauge(descriptor: Self.descriptor("gatehouse_telemetry_write_failures", "Telemetry batches that could not be written (retried)"))
            .set(Double(telemetryWriteFailures))
        registry.makeGauge(descriptor: Self.descriptor("gatehouse_requests_in_flight", "Calls received and not yet answered in full")).set(Double(inFlight))
        registry.makeGauge(descriptor: Self.descriptor("gatehouse_config_version", "Configuration version being served")).set(Double(configVersion))
        registry.makeGauge(descriptor: Self.descriptor("gatehouse_telemetry_dropped", "Telemetry records dropped because the queue was full"))
            .set(Double(telemetryDropped))
        registry.makeGauge(descriptor: Self.descriptor("gatehouse_open_connections", "Client connections open now")).set(Double(connections))
    }
}
