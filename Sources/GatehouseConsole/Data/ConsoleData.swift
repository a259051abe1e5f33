import Foundation
import GatehouseCore
import GatehouseStore

/// The time windows an operator steps through with `[` and `]`.
public enum TimeWindow: Int, Sendable, CaseIterable, Equatable {
    case m5 = 300, m15 = 900, h1 = 3600, h6 = 21_600, h24 = 86_400

    public var label: String {
        switch self {
        case .m5: return "5m"
        case .m15: return "15m"
        case .h1: return "1h"
        case .h6: return "6h"
        case .h24: return "24h"
        }
    }

    /// Seconds per chart bucket: about 60 buckets per window.
    public var bucket: Int64 { Int64(rawValue / 60) }

    public func shorter() -> TimeWindow { Self.allCases.last { $0.rawValue < rawValue } ?? self }
    public func longer() -> TimeWindow { Self.allCases.first { $0.rawValue > rawValue } ?? self }
}

/// One API × stage on the overview.
public struct OverviewRow: Sendable, Equatable {
    public var apiId: String
    public var apiName: String
    public var stage: String
    public var requestsPerSecond: Double
    public var sparkline: [Int]
    public var total: Int
    public var count4xx: Int
    public var count5xx: Int
    public var p50: Double?
    public var p99: Double?
    public var throttledPerSecond: Double
    /// Calls refused 401 or 403 (authorization, signatures, policies).
    public var countDenied: Int = 0
}

/// One method in the APIs tree, with the throttle in force and where it comes from.
public struct MethodRow: Sendable, Equatable {
    public var apiId: String
    public var apiName: String
    public var stage: String
    public var resourcePath: String
    public var httpMethod: String
    public var integration: String
    public var authorization: String
    public var apiKeyRequired: Bool
    public var throttle: ThrottleLimit
    public var throttleScope: ThrottleScope
    /// Requests per bucket over the window, for the row's mini chart.
    public var sparkline: [Int] = []
    /// Hits and misses of the stage cache over the window; nil when the method is not cached.
    public var cache: CacheCounts?
    /// The API's endpoint type and the custom domains (with base path) mapped to the stage.
    public var endpointType = "REGIONAL"
    public var domains: [String] = []
}

/// A custom domain as the console shows it: its certificate's expiry, TLS minimum, mutual TLS and mappings.
public struct DomainRow: Sendable, Equatable {
    public var name: String
    /// Nil when the certificate file cannot be read now.
    public var expires: Date?
    public var minimumTLS: String
    public var mutualTLS: Bool
    /// `BASE → API/STAGE`.
    public var mappings: [String]
    public var certificatePath: String

    /// Whole days left before the certificate expires (negative: expired).
    public func daysLeft(at now: Date) -> Int? {
        expires.map { Int(($0.timeIntervalSince(now) / 86_400).rounded(.down)) }
    }
}

/// A cached method's hits and misses.
public struct CacheCounts: Sendable, Equatable {
    public var hits: Int
    public var misses: Int

    public init(hits: Int, misses: Int) {
        self.hits = hits
        self.misses = misses
    }

    /// `87%` of the lookups answered from the cache, or `-` before any.
    public var ratio: String { hits + misses == 0 ? "-" : "\(hits * 100 / (hits + misses))%" }
}

/// One limit in force, with its live rate and 429s per second (last 10 s).
public struct ThrottleRow: Sendable, Equatable {
    public var scope: ThrottleScope
    public var apiId: String
    public var stage: String
    /// `*/*`, `/path/VERB`, or `*` for the account.
    public var methodKey: String
    public var limit: ThrottleLimit
    public var ratePerSecond: Double
    public var throttledPerSecond: Double
}

/// One deployment with the stages that serve it.
public struct DeploymentRow: Sendable, Equatable {
    public var apiId: String
    public var apiName: String
    public var id: String
    public var created: Date
    public var description: String
    public var stages: [String]
}

/// One chart bucket: latency quantiles (ms) and counts.
public struct ChartPoint: Sendable, Equatable {
    public var start: Int64
    public var p50: Double?
    public var p90: Double?
    public var p99: Double?
    public var integrationP50: Double?
    public var integrationP99: Double?
    public var count: Int
    public var count4xx: Int
    public var count5xx: Int
    public var count401: Int = 0
    public var count403: Int = 0
}

/// What a chart is drawn for: an API and stage, optionally one method.
public struct ChartTarget: Sendable, Equatable {
    public var apiId: String
    public var stage: String
    public var resourcePath: String?
    public var httpMethod: String?

    public init(apiId: String, stage: String, resourcePath: String? = nil, httpMethod: String? = nil) {
        self.apiId = apiId
        self.stage = stage
        self.resourcePath = resourcePath
        self.httpMethod = httpMethod
    }

    public var label: String {
        var text = "\(apiId)/\(stage)"
        if let httpMethod, let resourcePath { text += " \(httpMethod) \(resourcePath)" }
        return text
    }
}

/// One access-log row with its id.
public struct LogEntry: Sendable, Equatable {
    public var id: Int64
    public var record: AccessLogRecord
}

/// A snapshot of everything the console shows, read from the store in one refresh.
public struct ConsoleData: Sendable, Equatable {
    public var now: Date = Date(timeIntervalSince1970: 0)
    public var storePath = ""
    public var storeBytes: Int64 = 0
    public var workers: [WorkerHeartbeat] = []
    public var overview: [OverviewRow] = []
    public var methods: [MethodRow] = []
    public var throttles: [ThrottleRow] = []
    public var deployments: [DeploymentRow] = []
    public var audit: [Store.AuditEntry] = []
    public var chartTarget: ChartTarget?
    public var chart: [ChartPoint] = []
    public var account = Account()
    public var alarms: [AlarmStatus] = []
    public var alarmHistory: [AlarmHistoryEntry] = []
    /// Usage plans, each followed by its keys; keys on no plan last.
    public var keyPlans: [KeyPlanRow] = []
    public var domains: [DomainRow] = []

    public init() {}

    /// Custom domains whose certificate expires within 30 days (or cannot be read), soonest first.
    public var expiringDomains: [DomainRow] {
        domains.filter { ($0.daysLeft(at: now) ?? -1) < 30 }.sorted { ($0.expires ?? .distantPast) < ($1.expires ?? .distantPast) }
    }

    /// The newest heartbeat, if any worker ever beat.
    public var newestWorker: WorkerHeartbeat? { workers.max { $0.lastBeat < $1.lastBeat } }

    /// Alarms in ALARM that nobody has acknowledged: the loudest thing on the screen.
    public var unacknowledgedAlarms: [AlarmStatus] { alarms.filter { $0.state == .alarm && !$0.isAcknowledged } }

    /// The worst alarm state for an API and stage: an alarm matches when its dimensions name that API and
    /// that stage (or no stage).
    public func alarmState(apiId: String, stage: String) -> (state: AlarmState, acknowledged: Bool)? {
        let mine = alarms.filter { $0.rule.dimensions.apiId == apiId && ($0.rule.dimensions.stage ?? stage) == stage }
        guard !mine.isEmpty else { return nil }
        if let firing = mine.first(where: { $0.state == .alarm && !$0.isAcknowledged }) { return (firing.state, false) }
        if mine.contains(where: { $0.state == .alarm }) { return (.alarm, true) }
        if mine.contains(where: { $0.state == .insufficientData }) { return (.insufficientData, false) }
        return (.ok, false)
    }

    /// Up when a worker beat within the last 3 s and has not said it stopped.
    public var workerUp: Bool {
        guard let worker = newestWorker else { return false }
        return worker.state != "stopped" && now.timeIntervalSince(worker.lastBeat) <= 3
    }
}

extension Store.AuditEntry: Equatable {
    public static func == (lhs: Store.AuditEntry, rhs: Store.AuditEntry) -> Bool { lhs.id == rhs.id }
}
