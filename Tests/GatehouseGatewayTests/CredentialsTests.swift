import Foundation
import GatehouseCore
import GatehouseStore
import Testing

/// SigV4 access keys through the CLI on a real store: the secret shown once, sealed at rest under a 0600 key
/// file, revocation, and IAM-style resource patterns.
@Suite struct CredentialsTests {
    @Test func createListRevokeWithTheSecretSealedUnderAKeyFile() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (db, apiId) = try await sampleStore(dir, deploy: false)
        let pattern = "arn:aws:execute-api:*:*:\(apiId)/prod/GET/*"
        let created = try await run(Binary.gatehouse, ["credentials", "create", "--store", db, "--name", "ci-bot", "--allow", pattern])
        #expect(created.status == 0, "\(created.stderr)")
        let parts = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t").map(String.init)
        let (id, secret) = (parts.first ?? "", parts.last ?? "")
        #expect(id.count == 20 && id.hasPrefix("AKIA") && id.allSatisfy { $0.isUppercase || ("2"..."7").contains($0) }, "\(id)")
        #expect(secret.count == 40, "\(secret)")

        // The key file: beside the store, owner-only.
        let attributes = try FileManager.default.attributesOfItem(atPath: db + ".key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect((attributes[.size] as? NSNumber)?.intValue == 32)
        // Nowhere in the store in clear (the database, its WAL), nor in the audit log; the store opens it.
        for file in [db, db + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "the secret is not in \(file)")
        }
        let store = try Store(path: db, access: .readOnly)
        #expect(try store.credentialSecret(accessKeyId: id) == secret)
        #expect(try store.auditLog(limit: 5).allSatisfy { !($0.after ?? "").contains(secret) })

        let list = try await run(Binary.gatehouse, ["credentials", "list", "--store", db])
        #expect(list.stdout.contains(id) && list.stdout.contains("ci-bot") && list.stdout.contains("active") && list.stdout.contains(pattern))
        #expect(!list.stdout.contains(secret), "a secret is shown once")
        let credential = try #require(try store.credentials().first)
        #expect(credential.allows("arn:aws:execute-api:us-east-1:123456789012:\(apiId)/prod/GET/pets/7"))
        #expect(!credential.allows("arn:aws:execute-api:us-east-1:123456789012:\(apiId)/prod/POST/pets"))

        #expect(try await run(Binary.gatehouse, ["credentials", "revoke", "--store", db, id]).status == 0)
        let revoked = try #require(try store.credentials().first)
        #expect(revoked.revoked != nil && !revoked.allows("arn:aws:execute-api:us-east-1:123456789012:\(apiId)/prod/GET/pets/7"))
        #expect(try await run(Binary.gatehouse, ["credentials", "list", "--store", db]).stdout.contains("revoked"))

        // A wrong key file is an error that says so, not garbage; a bad pattern is refused before anything is written.
        try Data(repeating: 7, count: 32).write(to: URL(fileURLWithPath: db + ".key"))
        #expect(throws: StoreError.self) { try store.credentialSecret(accessKeyId: id) }
        let bad = try await run(Binary.gatehouse, ["credentials", "create", "--store", db, "--name", "x", "--allow", "arn:aws:s3:::bucket"])
        #expect(bad.status != 0 && bad.stderr.contains("not an execute-api resource ARN"), "\(bad.stderr)")
        #expect(try store.credentials().count == 1)
    }

    @Test func iamWildcardsMatchAsIAMDoes() {
        #expect(Credential.wildcard("arn:aws:execute-api:*:*:api1/*", matches: "arn:aws:execute-api:eu-west-1:1:api1/prod/GET/pets"))
        #expect(Credential.wildcard("arn:aws:execute-api:*:*:api1/prod/GET/pets/?", matches: "arn:aws:execute-api:r:1:api1/prod/GET/pets/7"))
        #expect(!Credential.wildcard("arn:aws:execute-api:*:*:api1/prod/GET/pets/?", matches: "arn:aws:execute-api:r:1:api1/prod/GET/pets/12"))
        #expect(!Credential.wildcard("arn:aws:execute-api:*:*:api1/*", matches: "arn:aws:execute-api:r:1:api2/prod/GET/pets"))
        #expect(Credential.wildcard("*", matches: ""))
        #expect(Credential.wildcard("a*b*c", matches: "a--b--b--c"))
        #expect(!Credential.wildcard("a*b*c", matches: "a--b--b--"))
        let id = Credential.generateAccessKeyId(), other = Credential.generateAccessKeyId()
        #expect(id != other && id.count == 20)
    }
}
