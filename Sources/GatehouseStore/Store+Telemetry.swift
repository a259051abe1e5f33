import Foundation
import GatehouseCore
import GRDB
import GRDBSQLite

/// How long telemetry is kept: access-log rows by age and by count, metric rollups by age.
public struct RetentionPolicy: Sendable, Equatable {
    public var accessLogMaxAge: TimeInterval
    public var accessLogMaxRows: Int
    public var metricsMaxAge: TimeInterval

    public init(accessLogMaxAge: TimeInterval = 7 * 86_400, accessLogMaxRows: Int = 5_000_000,
                metricsMaxAge: TimeInterval = 14 * 86_400) {
        self.accessLogMaxAge = accessLogMaxAge
        self.accessLogMaxRows = accessLogMaxRows
        self.metricsMaxAge = metricsMaxAge
    }
}

/// A worker's liveness row, beaten every second.
public struct WorkerHeartbeat: Sendable, Equatable {
    public var id: String
    public var pid: Int32
    public var version: String
    public var listen: String
    public var started: Date
    public var lastBeat: Date
    public var telemetryDropped: Int
    /// Telemetry batches the worker could not write (a locked or unwritable store); they are retried.
    public var telemetryErrors: Int
    public var state: String
    /// TLS handshakes that failed on the worker's TLS listener since it started.
    public var tlsHandshakeFailures = 0

    public init(id: String, pid: Int32, version: String, listen: String, started: Date, lastBeat: Date,
                telemetryDropped: Int = 0, telemetryErrors: Int = 0, state: String = "serving") {
        self.telemetryErrors = telemetryErrors
        self.id = id
        self.pid = pid
        self.version = version
        self.listen = listen
        self.started = started
        self.lastBeat = lastBeat
        self.telemetryDropped = telemetryDropped
        self.state = state
    }
}

extension Store {
    /// Writes one batch: every access-log row and the per-second rollups, in one short transaction,
    /// through cached statements (no record encoding on this path).
    public func writeTelemetry(_ records: [AccessLogRecord]) throws {
        guard !records.isEmpty else { return }
        let rollups = MetricRollup.aggregate(records)
        try write { db in
            // Rows go in by `rowsPerInsert` per statement (one step for them all; SQLite's per-statement work once
            // per group), the last few one by one.
            let group = try db.cachedStatement(sql: Self.accessLogGroupInsert)
            let single = try db.cachedStatement(sql: Self.accessLogRowInsert)
            // Bound through SQLite's C API: building GRDB's `StatementArguments` per row was two thirds of the
            // writer's CPU in `perf` of `gatehouse bench-telemetry`.
            let arena = TextArena()
            let groupRows = RowBinder(statement: group.sqliteStatement, arena: arena)
            let singleRow = RowBinder(statement: single.sqliteStatement, arena: arena)
            defer {
                groupRows.release()
                singleRow.release()
            }
            var i = records.startIndex
            while records.endIndex - i >= Self.rowsPerInsert {
                groupRows.startRow()
                for k in 0..<Self.rowsPerInsert { Self.bind(records, i + k, to: groupRows, at: Int32(k * Self.accessLogColumnCount)) }
                try groupRows.step(db)
                i += Self.rowsPerInsert
            }
            while i < records.endIndex {
                singleRow.startRow()
                Self.bind(records, i, to: singleRow, at: 0)
                try singleRow.step(db)
                i += 1
            }
            let execution = try db.cachedStatement(sql: """
                INSERT INTO execution_log (request_id, time, api_id, stage, line, message) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for i in records.indices {
                guard let lines = records[i].execution else { continue }
                let r = records[i]
                for (index, line) in lines.enumerated() {
                    try execution.execute(arguments: [r.requestId, r.time.timeIntervalSince1970, r.apiId, r.stage, index, line])
                }
            }
            try Self.upsertRollups(db, table: "metric_second", time: "second", rollups: rollups)
            var minutes: [MetricRollup.Key: MetricRollup] = [:]
            for (key, m) in rollups {
                var minuteKey = key
                minuteKey.second = key.second / 60 * 60
                minutes[minuteKey, default: MetricRollup()].merge(m)
            }
            try Self.upsertRollups(db, table: "metric_minute", time: "minute", rollups: minutes)
        }
    }

    /// Access-log rows per INSERT statement: 16 rows of 19 values, far below SQLite's limit on variables.
    static let rowsPerInsert = 16
    static let accessLogColumnCount = 19

    /// The INSERTs of `rowsPerInsert` rows and of one, made once.
    static let accessLogGroupInsert = accessLogInsert(rows: rowsPerInsert)
    static let accessLogRowInsert = accessLogInsert(rows: 1)

    /// An INSERT of `rows` access-log rows (the columns `bind` fills, in its order).
    static func accessLogInsert(rows: Int) -> String {
        let values = "(" + Array(repeating: "?", count: accessLogColumnCount).joined(separator: ", ") + ")"
        return """
            INSERT INTO access_log (request_id, time, api_id, stage, resource_path, http_method, path, status, latency_ms,
                integration_latency_ms, request_bytes, response_bytes, api_key_id, source_ip, user_agent, error, formatted, throttled,
                principal)
            VALUES \(Array(repeating: values, count: rows).joined(separator: ", "))
            """
    }

    /// Binds record `i`'s columns to the statement's parameters after `base`. Fields are read in place
    /// (`records[i].field`): `for r in records` copied every record, a retain and a release of each of its
    /// strings, 10 % of the writer's samples.
    @inline(__always)
    static func bind(_ records: [AccessLogRecord], _ i: Int, to row: RowBinder, at base: Int32) {
        switch records[i].requestIdentity {
        case .bits(let id): row.requestId(base + 1, id)
        case .text(let text): row.text(base + 1, text)
        }
        row.double(base + 2, records[i].time.timeIntervalSince1970)
        row.text(base + 3, records[i].apiId); row.text(base + 4, records[i].stage); row.text(base + 5, records[i].resourcePath)
        row.text(base + 6, records[i].httpMethod); row.text(base + 7, records[i].path); row.int(base + 8, records[i].status)
        row.double(base + 9, records[i].latencyMs); row.double(base + 10, records[i].integrationLatencyMs)
        row.int(base + 11, records[i].requestBytes); row.int(base + 12, records[i].responseBytes); row.text(base + 13, records[i].apiKeyId)
        row.text(base + 14, records[i].sourceIp); row.text(base + 15, records[i].userAgent); row.text(base + 16, records[i].error)
        row.text(base + 17, records[i].formatted); row.int(base + 18, records[i].throttled ? 1 : 0); row.text(base + 19, records[i].principal)
    }

    /// Adds rollups into a rollup table (`metric_second` or `metric_minute`), merging histograms in SQL.
    static func upsertRollups(_ db: Database, table: String, time: String, rollups: [MetricRollup.Key: MetricRollup]) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO \(table) (api_id, stage, resource_path, http_method, \(time), count, count_4xx, count_5xx,
                throttled, throttled_account, cache_hit, cache_miss, latency_hist, integration_latency_hist, count_401, count_403)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (api_id, stage, resource_path, http_method, \(time)) DO UPDATE SET
                count = count + excluded.count, count_4xx = count_4xx + excluded.count_4xx,
                count_5xx = count_5xx + excluded.count_5xx, throttled = throttled + excluded.throttled,
                count_401 = count_401 + excluded.count_401, count_403 = count_403 + excluded.count_403,
                throttled_account = throttled_account + excluded.throttled_account,
                cache_hit = cache_hit + excluded.cache_hit, cache_miss = cache_miss + excluded.cache_miss,
                latency_hist = gh_hist_merge(latency_hist, excluded.latency_hist),
                integration_latency_hist = gh_hist_merge(integration_latency_hist, excluded.integration_latency_hist)
            """)
        for (key, m) in rollups {
            try upsert.execute(arguments: [key.apiId, key.stage, key.resourcePath, key.httpMethod, key.second, m.count, m.count4xx,
                                           m.count5xx, m.throttled, m.throttledAccount, m.cacheHit, m.cacheMiss, m.latency.encoded, m.integrationLatency.encoded,
                                           m.count401, m.count403])
        }
    }

    /// Deletes telemetry past the policy, in small chunks so no transaction holds the store for long.
    /// Returns the number of rows deleted.
    @discardableResult
    public func applyRetention(_ policy: RetentionPolicy, now: Date = Date(), chunk: Int = 5_000) throws -> Int {
        var deleted = 0
        let logCutoff = now.timeIntervalSince1970 - policy.accessLogMaxAge
        let metricCutoff = Int64(now.timeIntervalSince1970 - policy.metricsMaxAge)
        // By windows of ids up to the first row at the cutoff: a row written out of time order past that bound
        // (a call that ended after later ones) goes at the next pass.
        let old = try read { db in try Self.accessLogIds(db, from: -.infinity, to: logCutoff) }
        var start = old.lowerBound
        while start < old.upperBound {
            let upper = min(old.upperBound, start + Int64(chunk))
            deleted += try write { db -> Int in
                try db.execute(sql: "DELETE FROM access_log WHERE id >= ? AND id < ? AND time < ?", arguments: [start, upper, logCutoff])
                return db.changesCount
            }
            start = upper
        }
        while true {
            let n = try write { db -> Int in
                guard let maxId = try Int64.fetchOne(db, sql: "SELECT max(id) FROM access_log") else { return 0 }
                let floor = maxId - Int64(policy.accessLogMaxRows)
                try db.execute(sql: "DELETE FROM access_log WHERE id IN (SELECT id FROM access_log WHERE id <= ? ORDER BY id LIMIT ?)",
                               arguments: [floor, chunk])
                return db.changesCount
            }
            deleted += n
            if n < chunk { break }
        }
        deleted += try write { db -> Int in
            try db.execute(sql: "DELETE FROM execution_log WHERE time < ?", arguments: [logCutoff])
            return db.changesCount
        }
        let minuteCutoff = metricCutoff / 60 * 60
        deleted += try write { db -> Int in
            try db.execute(sql: "DELETE FROM metric_minute WHERE minute < ?", arguments: [minuteCutoff])
            return db.changesCount
        }
        // metric_second has no rowid: delete by ranges of seconds, a few minutes per transaction.
        while let oldest = try read({ db in try Int64.fetchOne(db, sql: "SELECT min(second) FROM metric_second") }), oldest < metricCutoff {
            let bound = min(metricCutoff, oldest + 300)
            deleted += try write { db -> Int in
                try db.execute(sql: "DELETE FROM metric_second WHERE second < ?", arguments: [bound])
                return db.changesCount
            }
        }
        return deleted
    }

    /// The ids of the access-log rows from `from` to before `to` (epoch seconds; empty when the log is): each end found
    /// by bisecting ids (a rowid lookup a step), as rows are written in the order calls end and their times rise with
    /// their ids. A row written out of order (a call that ended after later ones) can sit on the wrong side of an end
    /// by as long as that call took: callers widen the window for it, or filter by time within it.
    static func accessLogIds(_ db: Database, from: Double, to: Double) throws -> Range<Int64> {
        guard let row = try Row.fetchOne(db, sql: "SELECT min(id), max(id) FROM access_log"),
              let first = row[0] as Int64?, let last = row[1] as Int64? else { return 0..<0 }
        let probe = try db.cachedStatement(sql: "SELECT id, time FROM access_log WHERE id >= ? ORDER BY id LIMIT 1")
        // The first id whose row is at or after `time`, or one past the last row.
        func firstId(atOrAfter time: Double) throws -> Int64 {
            var low = first, high = last + 1
            while low < high {
                let mid = low + (high - low) / 2
                guard let row = try Row.fetchOne(probe, arguments: [mid]), let id = row[0] as Int64?, id < high else {
                    high = mid
                    continue
                }
                if (row[1] as Double? ?? 0) < time { low = id + 1 } else { high = id }
            }
            return low
        }
        let lower = try firstId(atOrAfter: from)
        return lower..<max(lower, try firstId(atOrAfter: to))
    }

    /// Execution-log lines of one request, in order.
    public func executionLog(requestId: String) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT message FROM execution_log WHERE request_id = ? ORDER BY line", arguments: [requestId])
        }
    }

    /// The newest formatted access-log lines of a stage, oldest first.
    public func formattedAccessLog(apiId: String, stage: String, limit: Int) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT formatted FROM (SELECT id, formatted FROM access_log WHERE api_id = ? AND stage = ? AND formatted IS NOT NULL
                ORDER BY id DESC LIMIT ?) ORDER BY id
                """, arguments: [apiId, stage, limit])
        }
    }

    // MARK: Heartbeat

    public func beat(_ heartbeat: WorkerHeartbeat) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO worker (id, pid, version, listen, started, last_beat, telemetry_dropped, state, telemetry_errors, tls_handshake_failures)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET last_beat = excluded.last_beat, telemetry_dropped = excluded.telemetry_dropped,
                    telemetry_errors = excluded.telemetry_errors, tls_handshake_failures = excluded.tls_handshake_failures,
                    state = excluded.state, listen = excluded.listen
                """, arguments: [heartbeat.id, heartbeat.pid, heartbeat.version, heartbeat.listen, heartbeat.started.timeIntervalSince1970,
                                 heartbeat.lastBeat.timeIntervalSince1970, heartbeat.telemetryDropped, heartbeat.state,
                                 heartbeat.telemetryErrors, heartbeat.tlsHandshakeFailures])
        }
    }

    /// Worker rows, most recently beating first.
    public func workers() throws -> [WorkerHeartbeat] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM worker ORDER BY last_beat DESC").map { row in
                var worker = WorkerHeartbeat(id: row["id"], pid: row["pid"], version: row["version"], listen: row["listen"],
                                             started: Date(timeIntervalSince1970: row["started"]), lastBeat: Date(timeIntervalSince1970: row["last_beat"]),
                                             telemetryDropped: row["telemetry_dropped"], telemetryErrors: row["telemetry_errors"], state: row["state"])
                worker.tlsHandshakeFailures = row["tls_handshake_failures"]
                return worker
            }
        }
    }

    // MARK: Readers

    /// Access-log rows after `id`, oldest first: the tail a console follows.
    public func accessLog(after id: Int64 = 0, limit: Int = 100) throws -> [(id: Int64, record: AccessLogRecord)] {
        try read { db in
            try Self.accessLogRows(db, sql: "SELECT \(Self.accessLogColumns) FROM access_log WHERE id > ? ORDER BY id LIMIT ?", [id, limit])
        }
    }

    /// Access-log rows before `id`, oldest first: a console paging back.
    public func accessLog(before id: Int64, limit: Int) throws -> [(id: Int64, record: AccessLogRecord)] {
        try read { db in
            try Self.accessLogRows(db, sql: "SELECT \(Self.accessLogColumns) FROM access_log WHERE id < ? ORDER BY id DESC LIMIT ?", [id, limit])
                .reversed()
        }
    }

    /// The id of the nearest failed call (status 400 or more) after `id` (`forward`) or before it.
    public func failedCallId(from id: Int64, forward: Bool) throws -> Int64? {
        try read { db in
            try Int64.fetchOne(db, sql: forward
                ? "SELECT id FROM access_log WHERE id > ? AND status >= 400 ORDER BY id LIMIT 1"
                : "SELECT id FROM access_log WHERE id < ? AND status >= 400 ORDER BY id DESC LIMIT 1", arguments: [id])
        }
    }

    /// The newest access-log id (0 when the log is empty): how many rows arrived, without reading them.
    public func newestAccessLogId() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM access_log") } ?? 0
    }

    /// The columns `accessLogRow` reads, by position: a console following thousands of rows a second spent
    /// a fifth of its time lowercasing column names when they were looked up by name (perf, bench-console).
    static let accessLogColumns = """
        id, request_id, time, api_id, stage, resource_path, http_method, path, status, latency_ms, integration_latency_ms,
        request_bytes, response_bytes, api_key_id, source_ip, user_agent, error, throttled, principal
        """

    /// Decoded straight off the statement (a cursor, no copied rows).
    private static func accessLogRows(_ db: Database, sql: String, _ arguments: StatementArguments) throws -> [(id: Int64, record: AccessLogRecord)] {
        var result: [(id: Int64, record: AccessLogRecord)] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() { result.append(accessLogRow(row)) }
        return result
    }

    private static func accessLogRow(_ row: Row) -> (id: Int64, record: AccessLogRecord) {
        let record = AccessLogRecord(
            requestId: row[1], time: Date(timeIntervalSince1970: row[2]), apiId: row[3], stage: row[4], resourcePath: row[5],
            httpMethod: row[6], path: row[7], status: row[8], latencyMs: row[9], integrationLatencyMs: row[10], requestBytes: row[11],
            responseBytes: row[12], apiKeyId: row[13], sourceIp: row[14], userAgent: row[15], error: row[16], throttled: row[17])
        var withPrincipal = record
        withPrincipal.principal = row[18]
        return (row[0], withPrincipal)
    }

    /// Rollups merged over `[from, to)` seconds, optionally for one API and stage.
    public func metrics(from: Int64, to: Int64, apiId: String? = nil, stage: String? = nil) throws -> MetricRollup {
        try read { db in
            var sql = "SELECT \(Self.rollupColumns) FROM metric_second WHERE second >= ? AND second < ?"
            var arguments: StatementArguments = [from, to]
            if let apiId { sql += " AND api_id = ?"; _ = arguments.append(contentsOf: [apiId]) }
            if let stage { sql += " AND stage = ?"; _ = arguments.append(contentsOf: [stage]) }
            var total = MetricRollup()
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                total.merge(Self.rollup(row, from: 0, histograms: true))
            }
            return total
        }
    }

    /// Request counts per second over `[from, to)` for one stage method (every method with `nil`), zeros included.
    public func countsPerSecond(apiId: String, stage: String, resourcePath: String? = nil, httpMethod: String? = nil,
                                from: Int64, to: Int64) throws -> [Int] {
        try read { db in
            var sql = "SELECT second, sum(count) FROM metric_second WHERE api_id = ? AND stage = ? AND second >= ? AND second < ?"
            var arguments: StatementArguments = [apiId, stage, from, to]
            if let resourcePath { sql += " AND resource_path = ?"; _ = arguments.append(contentsOf: [resourcePath]) }
            if let httpMethod { sql += " AND http_method = ?"; _ = arguments.append(contentsOf: [httpMethod]) }
            sql += " GROUP BY second"
            var counts = [Int](repeating: 0, count: Int(max(0, to - from)))
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                let second: Int64 = row[0]
                counts[Int(second - from)] = row[1]
            }
            return counts
        }
    }
}

/// Binds one row's values to a prepared statement and runs it, with SQLite's C API and no intermediate
/// values; the statement stays GRDB's (cached, finalized by GRDB). Texts are copied into one arena per batch and
/// bound without SQLite copying them again (`SQLITE_STATIC`): a `malloc`, a `free` and SQLite's allocator mutex
/// per text were a tenth of the writer's time (`perf` of `gatehouse bench-telemetry`).
struct RowBinder {
    let statement: SQLiteStatement
    let arena: TextArena
    /// SQLite copies the bytes (`SQLITE_TRANSIENT`): for a text the arena has no room for.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// A new row (or group of rows): its texts go where the last one's were (every column is bound again before
    /// each step).
    func startRow() {
        arena.reset()
    }

    func text(_ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(statement, index)
            return
        }
        value.withUTF8 { bytes in
            guard let base = bytes.baseAddress, bytes.count > 0 else {
                _ = sqlite3_bind_text(statement, index, "", 0, Self.transient)
                return
            }
            if let copy = arena.copy(base, count: bytes.count) {
                _ = sqlite3_bind_text(statement, index, copy, Int32(bytes.count), nil)
            } else {
                _ = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text(statement, index, $0, Int32(bytes.count), Self.transient)
                }
            }
        }
    }

    /// A request id made by the worker: its text written straight into the arena, no `String` made.
    func requestId(_ index: Int32, _ id: RequestId) {
        if let bytes = arena.write(count: RequestId.textLength, { id.write(into: $0) }) {
            _ = sqlite3_bind_text(statement, index, bytes, Int32(RequestId.textLength), nil)
        } else {
            text(index, id.text)
        }
    }

    /// The batch is over: the statement forgets the arena's texts before the arena goes.
    func release() {
        sqlite3_clear_bindings(statement)
    }

    func double(_ index: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(statement, index, value) } else { sqlite3_bind_null(statement, index) }
    }

    func int(_ index: Int32, _ value: Int) {
        sqlite3_bind_int64(statement, index, Int64(value))
    }

    /// Runs the statement once and resets it for the next row.
    func step(_ db: Database) throws {
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }
}

extension Store {
    /// A rollup row's counters, in the order `rollup(_:from:histograms:)` reads them.
    static let rollupCounterColumns = "count, count_4xx, count_5xx, throttled, cache_hit, cache_miss, throttled_account, count_401, count_403"
    /// The counters, then the two histograms.
    static let rollupColumns = rollupCounterColumns + ", latency_hist, integration_latency_hist"

    /// One rollup decoded from `row`, its columns starting at `offset` in `rollupColumns` order: the one
    /// place a `metric_second` / `metric_minute` row becomes a `MetricRollup`.
    static func rollup(_ row: Row, from offset: Int, histograms: Bool) -> MetricRollup {
        var m = MetricRollup()
        m.count = row[offset]
        m.count4xx = row[offset + 1]
        m.count5xx = row[offset + 2]
        m.throttled = row[offset + 3]
        m.cacheHit = row[offset + 4]
        m.cacheMiss = row[offset + 5]
        m.throttledAccount = row[offset + 6]
        m.count401 = row[offset + 7]
        m.count403 = row[offset + 8]
        if histograms {
            if let data = row[offset + 9] as Data?, let h = LatencyHistogram(encoded: data) { m.latency = h }
            if let data = row[offset + 10] as Data?, let h = LatencyHistogram(encoded: data) { m.integrationLatency = h }
        }
        return m
    }
}

/// Room for one row's texts, reused row after row: a text bound from here stays where it is until the next
/// row starts (`reset`), as `SQLITE_STATIC` requires. It never grows while a row is being bound, so no pointer
/// handed out moves; a text that does not fit is bound as a copy instead.
final class TextArena {
    private let storage: UnsafeMutableRawBufferPointer
    private var used = 0

    init(capacity: Int = 64 * 1024) {
        storage = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit {
        storage.deallocate()
    }

    func reset() {
        used = 0
    }

    /// `count` bytes written in place by `body`, or nil when the rest of the room is too small.
    func write(count: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Void) -> UnsafePointer<CChar>? {
        guard let base = storage.baseAddress, count <= storage.count - used else { return nil }
        let target = base + used
        body(UnsafeMutableBufferPointer(start: target.assumingMemoryBound(to: UInt8.self), count: count))
        used += count
        return UnsafePointer(target.assumingMemoryBound(to: CChar.self))
    }

    /// `count` bytes from `source` copied in, or nil when the rest of the room is too small.
    func copy(_ source: UnsafePointer<UInt8>, count: Int) -> UnsafePointer<CChar>? {
        write(count: count) { target in
            UnsafeMutableRawBufferPointer(target).copyMemory(from: UnsafeRawBufferPointer(start: source, count: count))
        }
    }
}
