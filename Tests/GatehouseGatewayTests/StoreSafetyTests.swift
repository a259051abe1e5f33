import Foundation
import GatehouseDemo
import GatehouseStore
import Testing

/// Pointing a command at the wrong file never changes it: only `import`, `demo` and `init` create a store,
/// read commands open it read-only, and a store in a folder the user cannot write can still be read.
@Suite(.serialized) struct StoreSafetyTests {
    func digest(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    func siblings(_ path: String) -> [String] {
        ["-wal", "-shm"].filter { FileManager.default.fileExists(atPath: path + $0) }
    }

    @Test func aForeignSQLiteFileIsRefusedByEveryKindOfCommandAndLeftAsItWas() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let foreign = dir.path("app.db")
        let made = try await run("/usr/bin/env", ["sqlite3", "-cmd", ".timeout 5000", foreign, "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users(name) VALUES ('ada');"])
        #expect(made.status == 0, "\(made.stderr)")
        let before = try digest(foreign)
        let spec = dir.path("api.yaml")
        try SampleAPI.openAPI.write(toFile: spec, atomically: true, encoding: .utf8)
        for arguments in [["apis"], ["import", spec], ["init"], ["throttle", "set", "--account", "--rate", "5", "--burst", "5"],
                          ["throttle", "list"], ["console", "--read-only"], ["logging", "tail", "--api", "x", "--stage", "y", "--limit", "1"]] {
            let result = try await run(Binary.gatehouse, arguments + ["--store", foreign])
            #expect(result.status != 0, "\(arguments) exits non-zero")
            #expect(result.stderr.contains("not a Gatehouse store: \(foreign)"), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("users"), "it says what the file holds: \(result.stderr)")
        }
        #expect(try digest(foreign) == before, "the file is byte for byte what it was")
        #expect(siblings(foreign).isEmpty, "no WAL was started on it")
        let tables = try await run("/usr/bin/env", ["sqlite3", "-cmd", ".timeout 5000", foreign, ".tables"])
        #expect(tables.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "users", "no grdb_migrations left behind")
    }

    @Test func anEmptyFileIsAStoreOnlyWhenACommandCreatesOne() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let empty = dir.path("empty.db")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let read = try await gatehouse("apis", "--store", empty)
        #expect(read.status != 0 && read.stderr.contains("not a Gatehouse store: \(empty) (the file is empty)"), "\(read.stderr)")
        #expect(try digest(empty).isEmpty)
        let notSQLite = dir.path("notes.txt")
        try "just some notes, not a database at all".write(toFile: notSQLite, atomically: true, encoding: .utf8)
        let junk = try await gatehouse("init", "--store", notSQLite)
        #expect(junk.status != 0 && junk.stderr.contains("it is not a SQLite database"), "\(junk.stderr)")
        let created = try await gatehouse("init", "--store", empty)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("store created"), "\(created.stdout)")
        let apis = try await gatehouse("apis", "--store", empty)
        #expect(apis.status == 0 && apis.stdout.hasPrefix("ID"), "\(apis.stderr)")
        let missing = try await gatehouse("apis", "--store", dir.path("nowhere.db"))
        #expect(missing.status != 0 && missing.stderr.contains("no store at"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("nowhere.db")), "a read command creates nothing")
    }

    @Test func readCommandsNeverWriteTheStore() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir)
        // Fold the WAL into the file so that any later write would change it.
        #expect(try await run("/usr/bin/env", ["sqlite3", "-cmd", ".timeout 5000", db, "PRAGMA wal_checkpoint(TRUNCATE);"]).status == 0)
        let before = try digest(db)
        for arguments in [["apis"], ["stages", "--api", apiId], ["deployments", "--api", apiId], ["throttle", "list"],
                          ["logging", "show", "--api", apiId, "--stage", "prod"], ["alarm", "list"], ["export", "--api", apiId, "--stage", "prod"]] {
            let result = try await run(Binary.gatehouse, arguments + ["--store", db])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        #expect(try digest(db) == before, "read commands left the file as it was")
        let wal = (try? FileManager.default.attributesOfItem(atPath: db + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        #expect(wal == 0, "and wrote nothing into its WAL")
    }

    @Test func aStoreInAFolderTheUserCannotWriteCanStillBeRead() async throws {
        let dir = try TempDir()
        defer {
            chmod(dir.url.path, 0o755)
            dir.remove()
        }
        let folder = dir.path("ro")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (db, apiId) = try await sampleStore(folder: folder)
        #expect(siblings(db).isEmpty, "the writer closed cleanly: no WAL files to lean on")
        // The binary is copied where the unprivileged user can run it; as root the commands run as nobody.
        let binary = dir.path("gatehouse")
        try await copyGatehouse(to: binary)
        chmod(dir.url.path, 0o755)
        chmod(folder, 0o555)
        chmod(db, 0o644)
        defer { chmod(folder, 0o755) }
        let asUser: [String] = getuid() == 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary] : [binary]
        let read = try await run("/usr/bin/env", asUser + ["apis", "--store", db])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout.contains(apiId) && read.stdout.contains("prod"), "\(read.stdout)")
        let write = try await run("/usr/bin/env", asUser + ["throttle", "set", "--account", "--rate", "5", "--burst", "5", "--store", db])
        #expect(write.status != 0 && write.stderr.contains("read-only"), "a write is refused with the reason: \(write.stderr)")
    }
}
