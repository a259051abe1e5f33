import Foundation
import GatehouseCore
import GatehouseStore

/// Reads a `ConsoleData` from the store: only rollup queries and small tables, cheap enough for every
/// refresh. Configuration (APIs, stages, deployments, audit) is re-read only when its version changes.
/// The log tail is read separately, by id.
public final class ConsoleDataLoader {
    public let store: Store
    private var cachedVersion: Int64?
    private var served: [(api: RestApi, stages: [GatewayConfiguration.StageBinding])] = []
    private var deploymentsByApi: [String: [Store.DeploymentSummary]] = [:]
    private var audit: [Store.AuditEntry] = []
    private var account = Account()
    private var domains: [DomainRow] = []
    /// API id + stage → its custom domains with base path.
    private var domainsByStage: [String: [String]] = [:]
    /// Rollups of the window's completed buckets, so a refresh reads only the newest buckets.
    private var windowCache: (window: TimeWindow, rows: [MetricRollup.Key: MetricRollup], completeUntil: Int64)?
    /// Per API × stage, the completed buckets of the window merged (histograms too), kept while the window's
    /// start and its completed part stay the same: a refresh merges only the fresh buckets onto them.
    private var completeTotals: (key: [Int64], totals: [String: MetricRollup])?

    public init(store: Store) {
        self.store = store
    }

    private func refreshConfiguration() throws {
        let version = try store.configVersion()
        let auditHead = try store.auditLog(limit: 1).first?.id
        guard version != cachedVersion || auditHead != audit.first?.id else { return }
        served = try store.servedApis()
        deploymentsByApi = [:]
        for (api, _) in served { deploymentsByApi[api.id] = try store.deploymentSummaries(apiId: api.id) }
        audit = try store.auditLog(limit: 200)
        account = try store.account()
        let mappings = try store.basePathMappings()
        domainsByStage = Dictionary(grouping: mappings, by: { "\($0.restApiId)/\($0.stage)" }).mapValues { list in
            list.map { $0.domainName + ($0.basePath.isEmpty ? "" : "/" + $0.basePath) }
        }
        // Certificates are read when the configuration changes (a renewal writes the store or is seen at the next change).
        domains = try store.domains().map { domain in
            DomainRow(name: domain.domainName,
                      expires: (try? CertificateFiles.certificates(at: domain.certificatePath, what: "certificate").first).map { $0.notValidAfter },
                      minimumTLS: domain.minimumTLSVersion.rawValue, mutualTLS: domain.truststorePath != nil,
                      mappings: mappings.filter { $0.domainName == domain.domainName }.map { "\($0.displayBasePath) → \($0.restApiId)/\($0.stage)" },
                      certificatePath: domain.certificatePath)
        }.sorted { ($0.expires ?? .distantPast) < ($1.expires ?? .distantPast) }  // soonest to expire (or unreadable) first
        cachedVersion = version
    }

    /// `chart`: whether to compute the chart's points (latency quantiles per bucket), which only Charts shows.
    public func load(window: TimeWindow, chartTarget: ChartTarget?, now: Date = Date(), chart: Bool = true) throws -> ConsoleData {
        try refreshConfiguration()
        var data = ConsoleData()
        data.now = now
        data.storePath = store.path
        data.storeBytes = store.sizeOnDisk()
        data.workers = try store.workers()
        data.account = account
        let nowSecond = Int64(now.timeIntervalSince1970)
        // Buckets are aligned to absolute time, so completed ones never change and can be cached.
        let end = (nowSecond / window.bucket + 1) * window.bucket
        let start = end - Int64(window.rawValue)

        // Overview: per API × stage, bucketed counts for the sparkline and merged histograms for quantiles.
        let rows = try windowRows(window: window, start: start, end: end, nowSecond: nowSecond)
        let completeUntil = windowCache?.completeUntil ?? start
        let totalsKey = [Int64(window.rawValue), start, completeUntil]
        if completeTotals?.key != totalsKey {
            var totals: [String: MetricRollup] = [:]
            for row in rows where row.key.second < completeUntil { totals["\(row.key.apiId)/\(row.key.stage)", default: MetricRollup()].merge(row.rollup) }
            completeTotals = (totalsKey, totals)
        }
        let recentFrom = nowSecond - 9
        let recent = try store.rollups(RollupQuery(from: recentFrom, to: nowSecond + 1, bucket: 10, histograms: false))
        let buckets = Int(Int64(window.rawValue) / window.bucket)
        for (api, stages) in served {
            for binding in stages {
                let stageName = binding.stage.stageName
                let mine = rows.filter { $0.key.apiId == api.id && $0.key.stage == stageName }
                var total = completeTotals?.totals["\(api.id)/\(stageName)"] ?? MetricRollup()
                var spark = [Int](repeating: 0, count: buckets)
                for row in mine {
                    if row.key.second >= completeUntil { total.merge(row.rollup) }
                    let index = Int((row.key.second - start) / window.bucket)
                    if spark.indices.contains(index) { spark[index] += row.rollup.count }
                }
                var last10 = MetricRollup()
                for row in recent where row.key.apiId == api.id && row.key.stage == stageName { last10.merge(row.rollup) }
                data.overview.append(OverviewRow(
                    apiId: api.id, apiName: api.name, stage: stageName, requestsPerSecond: Double(last10.count) / 10,
                    sparkline: spark, total: total.count, count4xx: total.count4xx, count5xx: total.count5xx,
                    p50: total.latency.quantile(0.5), p99: total.latency.quantile(0.99),
                    throttledPerSecond: Double(last10.throttled) / 10))
                data.overview[data.overview.count - 1].countDenied = total.count401 + total.count403
                for (path, method) in binding.definition.methods {
                    let effective = ThrottleResolver.effective(apiId: api.id, stage: binding.stage, resourcePath: path,
                                                               methodVerb: method.httpMethod, account: data.account)
                    // Calls count against the method that answered them, as the router chose it (ANY takes the rest).
                    let resource = binding.definition.resources.first { $0.path == path }
                    var methodSpark = [Int](repeating: 0, count: buckets)
                    var cacheHits = 0, cacheMisses = 0
                    for row in mine where row.key.resourcePath == path && resource?.declaredVerb(answering: row.key.httpMethod) == method.httpMethod {
                        let index = Int((row.key.second - start) / window.bucket)
                        if methodSpark.indices.contains(index) { methodSpark[index] += row.rollup.count }
                        cacheHits += row.rollup.cacheHit
                        cacheMisses += row.rollup.cacheMiss
                    }
                    data.methods.append(MethodRow(
                        apiId: api.id, apiName: api.name, stage: stageName, resourcePath: path, httpMethod: method.httpMethod,
                        integration: Self.describe(method.methodIntegration),
                        authorization: Self.describeAuthorization(method, definition: binding.definition),
                        apiKeyRequired: method.apiKeyRequired, throttle: effective.limit, throttleScope: effective.scope,
                        sparkline: methodSpark,
                        cache: CachePolicy.resolve(stage: binding.stage, resourcePath: path, method: method).map { _ in CacheCounts(hits: cacheHits, misses: cacheMisses) },
                        endpointType: (api.endpointType ?? .regional).rawValue, domains: domainsByStage["\(api.id)/\(stageName)"] ?? []))
                }
                for key in binding.stage.methodSettings.keys.sorted() {
                    guard let limit = binding.stage.methodSettings[key]?.throttle else { continue }
                    var rate = MetricRollup()
                    for row in recent where row.key.apiId == api.id && row.key.stage == stageName
                        && (key == Stage.defaultSettingsKey || binding.definition.settingsKey(resourcePath: row.key.resourcePath, verb: row.key.httpMethod) == key) {
                        rate.merge(row.rollup)
                    }
                    // What this stage's own limits refused: the account limit's refusals count on the account row.
                    data.throttles.append(ThrottleRow(
                        scope: key == Stage.defaultSettingsKey ? .stage : .stageMethod, apiId: api.id, stage: stageName,
                        methodKey: key, limit: limit, ratePerSecond: Double(rate.count) / 10,
                        throttledPerSecond: Double(rate.throttled - rate.throttledAccount) / 10))
                }
            }
            for deployment in deploymentsByApi[api.id] ?? [] {
                data.deployments.append(DeploymentRow(
                    apiId: api.id, apiName: api.name, id: deployment.id, created: deployment.created,
                    description: deployment.description,
                    stages: stages.filter { $0.stage.deploymentId == deployment.id }.map(\.stage.stageName)))
            }
        }
        var all = MetricRollup()
        for row in recent { all.merge(row.rollup) }
        data.throttles.insert(ThrottleRow(scope: .account, apiId: "", stage: "", methodKey: "*", limit: data.account.throttle,
                                          ratePerSecond: Double(all.count) / 10, throttledPerSecond: Double(all.throttledAccount) / 10), at: 0)
        data.audit = audit
        data.domains = domains
        data.alarms = try store.alarms()
        data.alarmHistory = try store.alarmHistory(limit: 200)
        data.keyPlans = try keyPlanRows(now: now)

        if let target = chartTarget ?? data.overview.first.map({ ChartTarget(apiId: $0.apiId, stage: $0.stage) }) {
            data.chartTarget = target
            guard chart else { return data }
            // A stage-wide chart reuses the overview's rows; a method chart asks for its own.
            let series = target.resourcePath == nil && target.httpMethod == nil
                ? rows.filter { $0.key.apiId == target.apiId && $0.key.stage == target.stage }
                : try store.rollups(RollupQuery(from: start, to: end, bucket: window.bucket, apiId: target.apiId, stage: target.stage,
                                                resourcePath: target.resourcePath, httpMethod: target.httpMethod))
            var byBucket: [Int64: MetricRollup] = [:]
            for row in series { byBucket[row.key.second, default: MetricRollup()].merge(row.rollup) }
            data.chart = (0..<buckets).map { i in
                let bucketStart = start + Int64(i) * window.bucket
                let m = byBucket[bucketStart] ?? MetricRollup()
                return ChartPoint(start: bucketStart, p50: m.latency.quantile(0.5), p90: m.latency.quantile(0.9), p99: m.latency.quantile(0.99),
                                  integrationP50: m.integrationLatency.quantile(0.5), integrationP99: m.integrationLatency.quantile(0.99),
                                  count: m.count, count4xx: m.count4xx, count5xx: m.count5xx, count401: m.count401, count403: m.count403)
            }
        }
        return data
    }

    /// The window's rollups: cached completed buckets plus a fresh read of the last two buckets.
    private func windowRows(window: TimeWindow, start: Int64, end: Int64, nowSecond: Int64) throws -> [RollupRow] {
        let bucket = window.bucket
        let current = nowSecond / bucket * bucket
        var cached = windowCache?.window == window ? windowCache?.rows ?? [:] : [:]
        let fetchFrom = max(start, windowCache?.window == window ? windowCache?.completeUntil ?? start : start)
        cached = cached.filter { $0.key.second >= start && $0.key.second < fetchFrom }
        let fresh = try store.rollups(RollupQuery(from: fetchFrom, to: end, bucket: bucket))
        // Telemetry lands up to a second or so late: only buckets older than the previous one are final.
        let completeUntil = max(fetchFrom, current - bucket)
        var result = cached.map { RollupRow(key: $0.key, rollup: $0.value) }
        for row in fresh {
            result.append(row)
            if row.key.second < completeUntil { cached[row.key] = row.rollup }
        }
        windowCache = (window, cached, completeUntil)
        return result
    }

    /// New log rows after `id`, at most the newest `limit` of them (older ones are skipped: a following view
    /// keeps only its newest rows, and the rest stay in the store for paging back); `id` nil: the newest `limit`.
    public func logs(after id: Int64?, limit: Int = 500) throws -> [LogEntry] {
        try newLogs(after: id, limit: limit).entries
    }

    /// `logs(after:limit:)`, also saying whether rows between `id` and them were skipped.
    public func newLogs(after id: Int64?, limit: Int) throws -> (entries: [LogEntry], skipped: Bool) {
        let newest = try store.newestAccessLogId()
        let from = max(id ?? 0, newest - Int64(limit))
        guard newest > from else { return ([], false) }
        return (Self.entries(try store.accessLog(after: from, limit: limit)), from > (id ?? 0))
    }

    /// The newest log id: how many rows arrived since another, without reading them.
    public func newestLogId() throws -> Int64 {
        try store.newestAccessLogId()
    }

    /// The page of log rows before `id`, oldest first (empty when none older is kept).
    public func logs(before id: Int64, limit: Int = ConsoleState.logPage) throws -> [LogEntry] {
        Self.entries(try store.accessLog(before: id, limit: limit))
    }

    /// The nearest failed call beyond `id` in the store, with the rows around it; nil when there is none.
    public func failedCall(from id: Int64, forward: Bool, page: Int = ConsoleState.logPage) throws -> (id: Int64, rows: [LogEntry])? {
        guard let found = try store.failedCallId(from: id, forward: forward) else { return nil }
        return (found, Self.entries(try store.accessLog(after: max(0, found - Int64(page / 2) - 1), limit: page)))
    }

    private static func entries(_ rows: [(id: Int64, record: AccessLogRecord)]) -> [LogEntry] {
        rows.map { LogEntry(id: $0.id, record: $0.record) }
    }

    /// What a new limit would have rejected over the last hour, replaying recorded per-second counts.
    public func preview(apiId: String, stage: String, methodKey: String, limit: ThrottleLimit, now: Date = Date()) throws -> Int {
        try refreshConfiguration()
        let end = Int64(now.timeIntervalSince1970)
        let start = end - 3600
        if methodKey == "*" {
            let rows = try store.rollups(RollupQuery(from: start, to: end, bucket: 1, histograms: false))
            return TokenBucket.rejections(limit: limit, countsPerSecond: Self.perSecond(rows, start: start, end: end))
        }
        let rows = try store.rollups(RollupQuery(from: start, to: end, bucket: 1, apiId: apiId, stage: stage, histograms: false))
        // Each call belongs to the method that answered it (the router's rule: its own verb, else ANY).
        let definition = served.first { $0.api.id == apiId }?.stages.first { $0.stage.stageName == stage }?.definition
        let answeredBy = Dictionary(grouping: rows) { row in
            definition?.settingsKey(resourcePath: row.key.resourcePath, verb: row.key.httpMethod)
                ?? Stage.methodSettingsKey(resourcePath: row.key.resourcePath, httpMethod: row.key.httpMethod)
        }
        if methodKey == Stage.defaultSettingsKey {
            // The stage default is a bucket per method: replay each method's traffic through its own.
            return answeredBy.values.reduce(0) { sum, mine in
                sum + TokenBucket.rejections(limit: limit, countsPerSecond: Self.perSecond(mine, start: start, end: end))
            }
        }
        return TokenBucket.rejections(limit: limit, countsPerSecond: Self.perSecond(answeredBy[methodKey] ?? [], start: start, end: end))
    }

    /// How many seconds of the last hour a replay covers: from the first second with traffic (for the stage, or
    /// anywhere for the account) to `now`; 0 with no traffic.
    public func replaySeconds(apiId: String, stage: String, account: Bool, now: Date = Date()) throws -> Int {
        let end = Int64(now.timeIntervalSince1970)
        let rows = account
            ? try store.rollups(RollupQuery(from: end - 3600, to: end, bucket: 1, histograms: false))
            : try store.rollups(RollupQuery(from: end - 3600, to: end, bucket: 1, apiId: apiId, stage: stage, histograms: false))
        guard let first = rows.filter({ $0.rollup.count > 0 }).map(\.key.second).min() else { return 0 }
        return Int(end - first)
    }

    static func perSecond(_ rows: [RollupRow], start: Int64, end: Int64) -> [Int] {
        var counts = [Int](repeating: 0, count: Int(max(0, end - start)))
        for row in rows {
            let index = Int(row.key.second - start)
            if counts.indices.contains(index) { counts[index] += row.rollup.count }
        }
        return counts
    }

    /// A method's authorization as the APIs view shows it: `NONE`, `IAM`, or the authorizer's type and name
    /// (`JWT users`, `TOKEN tok`), with a policy marked `+pol` when the API has a resource policy.
    static func describeAuthorization(_ method: Method, definition: ApiDefinition) -> String {
        var text: String
        switch method.authorizationType.uppercased() {
        case "AWS_IAM": text = "IAM"
        case "NONE": text = "NONE"
        default:
            if let authorizer = definition.authorizer(id: method.authorizerId) {
                text = "\(authorizer.type.uppercased()) \(authorizer.name)"
            } else {
                text = method.authorizationType
            }
        }
        if definition.restApi.policy != nil { text += " +pol" }
        return text
    }

    static func describe(_ integration: Integration?) -> String {
        guard let integration else { return "none" }
        switch integration.type {
        case .mock: return "MOCK"
        case .http, .httpProxy, .aws, .awsProxy:
            return "\(integration.type.rawValue) \(integration.httpMethod ?? "") \(integration.uri ?? "")"
        }
    }
}
