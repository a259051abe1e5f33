import Foundation

/// One call through the gateway as the access log and metric rollups record it.
public struct AccessLogRecord: Sendable, Equatable {
    /// The request id as text (made from the bits for records the worker makes).
    public var requestId: String {
        get { requestIdentity.text }
        set { requestIdentity = .text(newValue) }
    }
    /// The id as it was made: the worker's records carry its bits, and the telemetry writer writes their text
    /// straight into the row.
    public var requestIdentity: RequestIdentity
    public var time: Date
    public var apiId: String?
    public var stage: String?
    /// The matched resource's path (`/pets/{id}`), `nil` when no route matched.
    public var resourcePath: String?
    public var httpMethod: String
    public var path: String
    public var status: Int
    public var latencyMs: Double
    public var integrationLatencyMs: Double?
    public var requestBytes: Int
    public var responseBytes: Int
    public var apiKeyId: String?
    public var sourceIp: String?
    public var userAgent: String?
    /// The gateway response type or integration error, when there was one (`THROTTLED`, `INTEGRATION_TIMEOUT`, …).
    public var error: String?
    public var throttled: Bool
    /// Refused by the account-wide limit rather than a stage's or a method's.
    public var throttledByAccount: Bool
    /// Who the authorizer said the caller is: a SigV4 signer's access key id, a JWT's `sub`, a custom
    /// authorizer's `principalId` (`$context.identity.caller`).
    public var principal: String?
    /// Whether the stage cache answered the call (hit), was asked and could not (miss), or was not involved.
    public var cacheResult: CacheResult?
    /// The line the stage's access-log format renders, when it has one.
    public var formatted: String?
    /// Where `formatted` is also appended (a file), with its rotation settings.
    public var sink: AccessLogSettings?
    /// Execution-log lines (stage logging level ERROR or INFO).
    public var execution: [String]?

    public init(requestId: String, time: Date, apiId: String?, stage: String?, resourcePath: String?, httpMethod: String,
                path: String, status: Int, latencyMs: Double, integrationLatencyMs: Double? = nil, requestBytes: Int = 0,
                responseBytes: Int = 0, apiKeyId: String? = nil, sourceIp: String? = nil, userAgent: String? = nil,
                error: String? = nil, throttled: Bool = false, throttledByAccount: Bool = false) {
        self.requestIdentity = .text(requestId)
        self.time = time
        self.apiId = apiId
        self.stage = stage
        self.resourcePath = resourcePath
        self.httpMethod = httpMethod
        self.path = path
        self.status = status
        self.latencyMs = latencyMs
        self.integrationLatencyMs = integrationLatencyMs
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.apiKeyId = apiKeyId
        self.sourceIp = sourceIp
        self.userAgent = userAgent
        self.error = error
        self.throttled = throttled
        self.throttledByAccount = throttledByAccount
    }
}

/// The counters of one (api, stage, resource, method, second): what a metric rollup row holds.
public struct MetricRollup: Sendable, Equatable {
    /// Identifies the row a rollup adds into.
    public struct Key: Sendable, Hashable {
        public var apiId: String
        public var stage: String
        public var resourcePath: String
        public var httpMethod: String
        public var second: Int64

        public init(apiId: String, stage: String, resourcePath: String, httpMethod: String, second: Int64) {
            self.apiId = apiId
            self.stage = stage
            self.resourcePath = resourcePath
            self.httpMethod = httpMethod
            self.second = second
        }
    }

    public var count = 0
    public var count4xx = 0
    public var count5xx = 0
    /// Calls answered 401 and 403 (refused by authorization, a signature, a policy or no route).
    public var count401 = 0
    public var count403 = 0
    public var throttled = 0
    /// Of `throttled`, the calls the account-wide limit refused.
    public var throttledAccount = 0
    public var cacheHit = 0
    public var cacheMiss = 0
    public var latency = LatencyHistogram()
    public var integrationLatency = LatencyHistogram()

    public init() {}

    public mutating func add(_ record: AccessLogRecord) {
        add(status: record.status, throttled: record.throttled, throttledByAccount: record.throttledByAccount,
            cacheResult: record.cacheResult, latencyMs: record.latencyMs, integrationLatencyMs: record.integrationLatencyMs)
    }

    /// Counts one call from the record's numbers (a record passed whole into a dictionary's value was copied).
    mutating func add(status: Int, throttled wasThrottled: Bool, throttledByAccount byAccount: Bool, cacheResult: CacheResult?,
                      latencyMs: Double, integrationLatencyMs: Double?) {
        count += 1
        if (400..<500).contains(status) { count4xx += 1 }
        if status >= 500 { count5xx += 1 }
        if status == 401 { count401 += 1 } else if status == 403 { count403 += 1 }
        if wasThrottled { throttled += 1 }
        if byAccount { throttledAccount += 1 }
        if cacheResult == .hit { cacheHit += 1 } else if cacheResult == .miss { cacheMiss += 1 }
        latency.record(milliseconds: latencyMs)
        if let integrationLatencyMs { integrationLatency.record(milliseconds: integrationLatencyMs) }
    }

    public mutating func merge(_ other: MetricRollup) {
        count += other.count
        count4xx += other.count4xx
        count5xx += other.count5xx
        count401 += other.count401
        count403 += other.count403
        throttled += other.throttled
        throttledAccount += other.throttledAccount
        cacheHit += other.cacheHit
        cacheMiss += other.cacheMiss
        latency.merge(other.latency)
        integrationLatency.merge(other.integrationLatency)
    }

    /// Groups records into per-second rollups; records with no API (no route) are not rolled up.
    public static func aggregate(_ records: [AccessLogRecord]) -> [Key: MetricRollup] {
        var result: [Key: MetricRollup] = [:]
        // Read in place: `for record in records` would copy each record (retaining every string it holds).
        for i in records.indices {
            guard let apiId = records[i].apiId else { continue }
            let key = Key(apiId: apiId, stage: records[i].stage ?? "", resourcePath: records[i].resourcePath ?? "",
                          httpMethod: records[i].httpMethod, second: Int64(records[i].time.timeIntervalSince1970.rounded(.down)))
            let (status, throttled, byAccount) = (records[i].status, records[i].throttled, records[i].throttledByAccount)
            let (cache, latency, integration) = (records[i].cacheResult, records[i].latencyMs, records[i].integrationLatencyMs)
            result[key, default: MetricRollup()].add(status: status, throttled: throttled, throttledByAccount: byAccount,
                                                     cacheResult: cache, latencyMs: latency, integrationLatencyMs: integration)
        }
        return result
    }
}

/// What the stage cache did for a call.
public enum CacheResult: String, Sendable, Equatable, Codable {
    case hit, miss
}
