import Foundation
import GatehouseCore
import GRDB

/// The one SQLite file (WAL) that the worker, the console and the CLI share: configuration and telemetry.
/// Every write is a short IMMEDIATE transaction with a busy timeout, so concurrent processes wait, never fail.
public final class Store: Sendable {
    public let path: String
    public let access: Access
    let pool: any DatabaseWriter

    /// How long a write waits for another process's transaction before giving up.
    public static let busyTimeout: TimeInterval = 10

    /// How a command may use the file. Only `create` makes a store; nothing writes into a file that is not
    /// already a Gatehouse store (an empty file counts as new for `create` only).
    public enum Access: Sendable {
        /// `import`, `demo`, `init`: a missing or empty file becomes a store; a store is upgraded.
        case create
        /// Commands that change the store: it must exist and be a Gatehouse store (upgraded if older).
        case readWrite
        /// Commands that only read: opened read-only and never written, even in a read-only folder.
        case readOnly
    }

    /// Opens the store at `path` for `access`.
    public init(path: String, access: Access, busyTimeout: TimeInterval = Store.busyTimeout) throws {
        self.path = path
        self.access = access
        let size = try Self.sizeOfFile(at: path, for: access)
        if size == nil {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if !FileManager.default.fileExists(atPath: directory) {
                throw StoreError.cannotOpen(path: path, reason: "the folder \(directory) does not exist")
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.readonly = access == .readOnly
        configuration.label = "gatehouse"
        configuration.prepareDatabase { db in
            db.add(function: Self.histogramMerge)
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        let migrator = Schema.migrator
        if let size, size > 0 {
            // Looked at read-only first: opening a foreign file for writing would already change it (WAL mode).
            try Self.check(path: path, migrator: migrator, access: access)
        }
        do {
            if access == .readOnly {
                pool = try Self.openReadOnly(path: path, configuration: configuration)
            } else {
                pool = try DatabasePool(path: path, configuration: configuration)
                try migrator.migrate(pool)
            }
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// Opens the store at `path`: with `create`, a missing file becomes a store; `readOnly` never writes.
    public convenience init(path: String, create: Bool = true, readOnly: Bool = false, busyTimeout: TimeInterval = Store.busyTimeout) throws {
        try self.init(path: path, access: readOnly ? .readOnly : create ? .create : .readWrite, busyTimeout: busyTimeout)
    }

    /// What opening the store for `access` would refuse (missing, not a Gatehouse store, newer), found without
    /// opening it for writing and without waiting on a lock: a store another process holds counts as fine here,
    /// so a console can start and show that it is waiting.
    public static func validate(path: String, access: Access) throws {
        guard let size = try sizeOfFile(at: path, for: access), size > 0 else { return }
        do {
            try check(path: path, migrator: Schema.migrator, access: access, busyTimeout: 0.2)
        } catch StoreError.locked {
            return
        }
    }

    /// The file's size, `nil` when there is none; refuses what `access` may not open: a missing file, or an
    /// empty one, unless it is creating the store.
    static func sizeOfFile(at path: String, for access: Access) throws -> Int? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            guard access == .create else { throw StoreError.missing(path: path) }
            return nil
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        if size == 0, access != .create { throw StoreError.notAStore(path: path, reason: "the file is empty") }
        return size
    }

    /// Refuses a file that is not a Gatehouse store (naming what it holds instead), one written by a newer
    /// Gatehouse, and, for read-only use, one whose schema is older than this binary's.
    static func check(path: String, migrator: DatabaseMigrator, access: Access, busyTimeout: TimeInterval = Store.busyTimeout) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        do {
            let probe = try openReadOnly(path: path, configuration: configuration, pool: false)
            try probe.read { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
                var isStore = false
                if tables.contains("grdb_migrations") {
                    isStore = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = 'v1')") ?? false
                }
                if !isStore {
                    if tables.isEmpty && access == .create { return }
                    let held = tables.isEmpty ? "no tables" : "tables " + tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
                    throw StoreError.notAStore(path: path, reason: "it holds \(held) and no Gatehouse schema")
                }
                if try migrator.hasBeenSuperseded(db) { throw StoreError.newerSchema(path: path) }
                let complete = try migrator.hasCompletedMigrations(db)
                if access == .readOnly && !complete { throw StoreError.olderSchema(path: path) }
            }
            try probe.close()
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_NOTADB { throw StoreError.notAStore(path: path, reason: "it is not a SQLite database") }
            throw Self.translate(error, path: path)
        }
    }

    /// A read-only connection. In a folder this process cannot write, SQLite cannot make the WAL's shared
    /// memory file, so the store is opened immutable (a snapshot: nobody can be writing there either).
    static func openReadOnly(path: String, configuration: Configuration, pool: Bool = true) throws -> any DatabaseWriter {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if FileManager.default.isWritableFile(atPath: directory) {
            return pool ? try DatabasePool(path: path, configuration: configuration) : try DatabaseQueue(path: path, configuration: configuration)
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let encoded = absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? absolute
        return try DatabaseQueue(path: "file:\(encoded)?immutable=1", configuration: configuration)
    }

    /// Turns SQLite errors into messages that say what to do.
    static func translate(_ error: DatabaseError, path: String) -> Error {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.locked(path: path)
        case .SQLITE_NOTADB: return StoreError.cannotOpen(path: path, reason: "the file is not a SQLite database")
        case .SQLITE_CANTOPEN: return StoreError.cannotOpen(path: path, reason: "SQLite cannot open it (permissions, or a missing folder)")
        case .SQLITE_READONLY:
            return StoreError.cannotOpen(path: path, reason: "it is read-only for this user (the file or its folder cannot be written); read commands still work")
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
