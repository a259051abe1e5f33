import Foundation
import GatehouseCore
import GatehouseStore
import Testing

/// API keys through the real CLI on a real store: values from the CSPRNG, kept hashed for lookup, shown only
/// when asked for, never written to the audit log; enable, disable and delete audited.
@Suite(.serialized) struct KeyCommandTests {
    @Test func createListShowDisableDeleteThroughTheCLI() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, _) = try await sampleStore(dir, deploy: false)
        let created = try await gatehouse("key", "create", "--store", db, "--name", "mobile app", "--customer-id", "acme")
        #expect(created.status == 0, "\(created.stderr)")
        let fields = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t").map(String.init)
        #expect(fields.count == 2, "id and value: \(created.stdout)")
        let (id, value) = (fields.first ?? "", fields.last ?? "")
        #expect(value.count >= 30 && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, "\(value)")
        // A second key gets another value.
        let other = try await gatehouse("key", "create", "--store", db, "--name", "partner")
        #expect(!other.stdout.contains(value))

        let list = try await gatehouse("key", "list", "--store", db)
        #expect(list.stdout.contains(id) && list.stdout.contains("mobile app") && list.stdout.contains("enabled") && list.stdout.contains("acme"))
        #expect(!list.stdout.contains(value), "values are not listed")
        let show = try await gatehouse("key", "show", "--store", db, id)
        #expect(show.stdout.contains("mobile app") && !show.stdout.contains(value))
        let withValue = try await gatehouse("key", "show", "--store", db, id, "--value")
        #expect(withValue.stdout.contains("value:       \(value)"))

        // The store keeps the value's SHA-256 for lookup.
        let hash = try await run("/usr/bin/env", ["python3", "-c", "import hashlib,sys;print(hashlib.sha256(sys.argv[1].encode()).hexdigest().upper())", value])
        let stored = try await run("/usr/bin/env", ["sqlite3", "-cmd", ".timeout 5000", db, "SELECT hex(value_hash) FROM api_key WHERE id = '\(id)'"])
        #expect(stored.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == hash.stdout.trimmingCharacters(in: .whitespacesAndNewlines))

        #expect(try await gatehouse("key", "disable", "--store", db, id).status == 0)
        #expect(try await gatehouse("key", "list", "--store", db).stdout.contains("disabled"))
        #expect(try await gatehouse("key", "enable", "--store", db, id).status == 0)
        #expect(try await gatehouse("key", "delete", "--store", db, id).status == 0)
        let gone = try await gatehouse("key", "show", "--store", db, id)
        #expect(gone.status != 0)
        #expect(gone.stderr.contains("API key \(id) does not exist"), "\(gone.stderr)")

        let audit = try Store(path: db, access: .readOnly).auditLog(limit: 20)
        #expect(audit.map(\.action).prefix(4) == ["DeleteApiKey", "UpdateApiKey(enabled)", "UpdateApiKey(enabled)", "CreateApiKey"])
        #expect(audit.allSatisfy { !"\($0.before ?? "") \($0.after ?? "") \($0.target)".contains(value) }, "no value in the audit log")
    }

    @Test func givenValuesAreCheckedAndNeverShared() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, _) = try await sampleStore(dir, deploy: false)
        let short = try await gatehouse("key", "create", "--store", db, "--name", "a", "--value", "tooshort")
        #expect(short.status != 0)
        #expect(short.stderr.contains("at least 20 characters"), "\(short.stderr)")
        let spaced = try await gatehouse("key", "create", "--store", db, "--name", "a", "--value", "has a space in the middle of it")
        #expect(spaced.status != 0)
        let chosen = "partner-0123456789-abcdefghij"
        let first = try await gatehouse("key", "create", "--store", db, "--name", "a", "--value", chosen)
        #expect(first.status == 0 && first.stdout.contains(chosen), "\(first.stderr)")
        let again = try await gatehouse("key", "create", "--store", db, "--name", "b", "--value", chosen)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already has this value"), "\(again.stderr)")
        #expect(try Store(path: db, access: .readOnly).apiKeys().count == 1, "nothing half-written")
    }
}
