import Foundation
import GatehouseCore
import GRDB

/// Which rollups a console query reads: a time range, a bucket size, and optionally one API, stage and method.
public struct RollupQuery: Sendable, Equatable {
    public var from: Int64
    public var to: Int64
    /// Seconds per bucket; 60 or more reads minute rollups.
    public var bucket: Int64
    public var apiId: String?
    public var stage: String?
    public var resourcePath: String?
    public var httpMethod: String?
    /// Whether to decode latency histograms (counts alone are much cheaper).
    public var histograms: Bool

    public init(from: Int64, to: Int64, bucket: Int64, apiId: String? = nil, stage: String? = nil, resourcePath: String? = nil,
                httpMethod: String? = nil, histograms: Bool = true) {
        self.from = from
        self.to = to
        self.bucket = max(1, bucket)
        self.apiId = apiId
        self.stage = stage
        self.resourcePath = resourcePath
        self.httpMethod = httpMethod
        self.histograms = histograms
    }
}

/// One rollup row of a console query: its method identity, its bucket start and its counters.
public struct RollupRow: Sendable {
    public var key: MetricRollup.Key
    public var rollup: MetricRollup

    public init(key: MetricRollup.Key, rollup: MetricRollup) {
        self.key = key
        self.rollup = rollup
    }
}

extension Store {
    /// Rollups for the console, bucketed: rows of the same method and bucket are merged.
    public func rollups(_ query: RollupQuery) throws -> [RollupRow] {
        let minutes = query.bucket >= 60 && query.bucket % 60 == 0
        let table = minutes ? "metric_minute" : "metric_second"
        let time = minutes ? "minute" : "second"
        let from = minutes ? query.from / 60 * 60 : query.from
        var sql = "SELECT api_id, stage, resource_path, http_method, \(time), \(query.histograms ? Self.rollupColumns : Self.rollupCounterColumns)"
        // The time index, always: without statistics SQLite may otherwise scan the whole table by its key.
        sql += " FROM \(table) INDEXED BY \(table)_time WHERE \(time) >= ? AND \(time) < ?"
        var arguments: StatementArguments = [from, query.to]
        for (column, value) in [("api_id", query.apiId), ("stage", query.stage), ("resource_path", query.resourcePath),
                                ("http_method", query.httpMethod)] {
            if let value {
                sql += " AND \(column) = ?"
                _ = arguments.append(contentsOf: [value])
            }
        }
        return try read { db in
            var merged: [MetricRollup.Key: MetricRollup] = [:]
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                let t: Int64 = row[4]
                let key = MetricRollup.Key(apiId: row[0], stage: row[1], resourcePath: row[2], httpMethod: row[3],
                                           second: (t - query.from).floorDiv(query.bucket) * query.bucket + query.from)
                merged[key, default: MetricRollup()].merge(Self.rollup(row, from: 5, histograms: query.histograms))
            }
            return merged.map { RollupRow(key: $0.key, rollup: $0.value) }
        }
    }

    /// A deployment without its snapshot: what lists need.
    public struct DeploymentSummary: Sendable, Equatable {
        public var id: String
        public var created: Date
        public var description: String
    }

    /// The API's deployments, newest first, without decoding their snapshots.
    public func deploymentSummaries(apiId: String) throws -> [DeploymentSummary] {
        try read { db in
            try Row.fetchAll(db, DeploymentRecord.newestFirst(apiId: apiId)
                .select(DeploymentRecord.Columns.id, DeploymentRecord.Columns.createdDate, Column("description"))).map { row in
                DeploymentSummary(id: row[0], created: Date(timeIntervalSince1970: row[1]), description: row[2] ?? "")
            }
        }
    }

    /// The store's size on disk in bytes, write-ahead log included.
    public func sizeOnDisk() -> Int64 {
        let files = [path, path + "-wal", path + "-shm"]
        return files.reduce(0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
            return total + size
        }
    }

    /// Every API with its stages and the definitions they serve, for the console's tree.
    public func servedApis() throws -> [(api: RestApi, stages: [GatewayConfiguration.StageBinding])] {
        let configuration = try gatewayConfiguration()
        return try restApis().map { api in
            (api, configuration.stages.filter { $0.stage.restApiId == api.id }.sorted { $0.stage.stageName < $1.stage.stageName })
        }
    }
}

extension Int64 {
    /// Division rounding toward negative infinity.
    func floorDiv(_ divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
