import Foundation
import GatehouseCore
import GRDB

/// The one SQLite file (WAL) that the worker, the console and the CLI share: configuration and telemetry.
/// Every write is a short IMMEDIATE transaction with a busy timeout, so concurrent processes wait, never fail.
public final class Store: Sendable {
    public let path: String
    let pool: DatabasePool

    /// How long a write waits for another process's transaction before giving up.
    public static let busyTimeout: TimeInterval = 10

    /// Opens the store at `path`. With `create`, a missing file is created; otherwise it is an error.
    public init(path: String, create: Bool = true, readOnly: Bool = false, busyTimeout: TimeInterval = Store.busyTimeout) throws {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && (!create || readOnly) { throw StoreError.missing(path: path) }
        if !exists {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if !FileManager.default.fileExists(atPath: directory) {
                throw StoreError.cannotOpen(path: path, reason: "the folder \(directory) does not exist")
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.readonly = readOnly
        configuration.label = "gatehouse"
        configuration.prepareDatabase { db in
            db.add(function: Self.histogramMerge)
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
        do {
            let migrator = Schema.migrator
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            if superseded { throw StoreError.newerSchema(path: path) }
            if !readOnly { try migrator.migrate(pool) }
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// Turns SQLite errors into messages that say what to do.
    static func translate(_ error: DatabaseError, path: String) -> Error {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.locked(path: path)
        case .SQLITE_NOTADB: return StoreError.cannotOpen(path: path, reason: "the file is not a SQLite database")
        case .SQLITE_CANTOPEN: return StoreError.cannotOpen(path: path, reason: "SQLite cannot open it (permissions, or a missing folder)")
        case .SQLITE_READONLY: return StoreError.cannotOpen(path: path, reason: "it is read-only")
        default: return StoreError.cannotOpen(path: path, reason: error.message ?? "\(error)")
        }
    }

    /// Runs a write transaction, translating SQLite errors.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let error as DatabaseError { throw Self.translate(error, path: path) }
    }

    /// Runs a read, translating SQLite errors.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as DatabaseError { throw Self.translate(error, path: path) }
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }

    /// Merges two encoded latency histograms inside SQL, so telemetry upserts add buckets in place.
    static let histogramMerge = DatabaseFunction("gh_hist_merge", argumentCount: 2, pure: true) { values in
        let a = Data.fromDatabaseValue(values[0]).flatMap(LatencyHistogram.init(encoded:)) ?? LatencyHistogram()
        let b = Data.fromDatabaseValue(values[1]).flatMap(LatencyHistogram.init(encoded:)) ?? LatencyHistogram()
        var merged = a
        merged.merge(b)
        return merged.encoded
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(type, from: Data(text.utf8))
    }
}
