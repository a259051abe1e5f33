import Crypto
import Foundation
import GatehouseCore
import GRDB

/// SigV4 credentials: created (the secret shown once), listed and revoked by any process, audited without the
/// secret. Secrets are sealed with AES-GCM under a 256-bit key kept in `<store>.key` (mode 0600, made on first
/// use): a copy of the store alone does not give them away.
extension Store {
    /// The key file's path: beside the store.
    public var secretKeyPath: String { path + ".key" }

    /// Creates a credential allowed to invoke `allow` (resource ARN patterns); returns it with its secret.
    public func createCredential(name: String, allow: [String], actor: Actor, now: Date = Date()) throws -> (Credential, secret: String) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw StoreError.invalid("a credential needs a name (--name)") }
        if let problem = allow.lazy.compactMap(Credential.problem(withResourcePattern:)).first { throw StoreError.invalid(problem) }
        let credential = Credential(accessKeyId: Credential.generateAccessKeyId(), name: name, allow: allow, created: now)
        let secret = Credential.generateSecret()
        let sealed = try AES.GCM.seal(Data(secret.utf8), using: try secretKey(create: true)).combined ?? Data()
        try write { db in
            try db.execute(sql: "INSERT INTO credential (access_key_id, name, secret_sealed, allow, created) VALUES (?, ?, ?, ?, ?)",
                           arguments: [credential.accessKeyId, name, sealed, try Self.json(allow), now.timeIntervalSince1970])
            try Self.audit(db, actor: actor, action: "CreateCredential", target: "credentials/\(credential.accessKeyId)", before: nil,
                           after: "\(name) allow \(allow.isEmpty ? "nothing" : allow.joined(separator: ","))")
        }
        return (credential, secret)
    }

    /// Every credential, newest first, without secrets.
    public func credentials() throws -> [Credential] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT access_key_id, name, allow, created, revoked FROM credential ORDER BY created DESC").map { row in
                Credential(accessKeyId: row[0], name: row[1], allow: try Self.decode([String].self, row[2]),
                           created: Date(timeIntervalSince1970: row[3]), revoked: (row[4] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    /// Revokes a credential: calls signed with it are refused from then on.
    public func revokeCredential(accessKeyId: String, actor: Actor, now: Date = Date()) throws {
        try write { db in
            guard let name = try String.fetchOne(db, sql: "SELECT name FROM credential WHERE access_key_id = ?", arguments: [accessKeyId]) else {
                throw StoreError.notFound(what: "credential \(accessKeyId)", hint: "`gatehouse credentials list` shows them")
            }
            try db.execute(sql: "UPDATE credential SET revoked = COALESCE(revoked, ?) WHERE access_key_id = ?",
                           arguments: [now.timeIntervalSince1970, accessKeyId])
            try Self.audit(db, actor: actor, action: "RevokeCredential", target: "credentials/\(accessKeyId)", before: name, after: "revoked")
        }
    }

    /// The live (not revoked) credentials with their secrets opened, for the worker; a key file that is
    /// missing or wrong is a problem named, and no credential is served.
    public func servedCredentials() throws -> ([String: GatewayConfiguration.ServedCredential], problem: String?) {
        let rows = try read { db in
            try Row.fetchAll(db, sql: "SELECT access_key_id, name, secret_sealed, allow FROM credential WHERE revoked IS NULL")
        }
        guard !rows.isEmpty else { return ([:], nil) }
        let key: SymmetricKey
        do {
            key = try secretKey(create: false)
        } catch {
            return ([:], "\(error)")
        }
        var served: [String: GatewayConfiguration.ServedCredential] = [:]
        for row in rows {
            let id: String = row[0]
            guard let box = try? AES.GCM.SealedBox(combined: row[2] as Data), let opened = try? AES.GCM.open(box, using: key) else {
                return ([:], "the secret of \(id) cannot be opened with \(secretKeyPath): the key file is not the one it was sealed with")
            }
            served[id] = .init(accessKeyId: id, name: row[1], secret: String(decoding: opened, as: UTF8.self),
                               allow: try Self.decode([String].self, row[3]))
        }
        return (served, nil)
    }

    /// A credential's secret, opened with the key file (what a verifier of signatures needs).
    public func credentialSecret(accessKeyId: String) throws -> String {
        let sealed = try read { db in
            try Data.fetchOne(db, sql: "SELECT secret_sealed FROM credential WHERE access_key_id = ?", arguments: [accessKeyId])
        }
        guard let sealed else { throw StoreError.notFound(what: "credential \(accessKeyId)", hint: "`gatehouse credentials list` shows them") }
        do {
            let opened = try AES.GCM.open(try AES.GCM.SealedBox(combined: sealed), using: try secretKey(create: false))
            return String(decoding: opened, as: UTF8.self)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.invalid("the secret of \(accessKeyId) cannot be opened with \(secretKeyPath): the key file is not the one it was sealed with")
        }
    }

    /// The key that seals secrets, read from the key file (made, 0600, when `create` and it does not exist).
    func secretKey(create: Bool) throws -> SymmetricKey {
        let url = URL(fileURLWithPath: secretKeyPath)
        if let data = try? Data(contentsOf: url) {
            guard data.count == 32 else { throw StoreError.invalid("\(secretKeyPath) is not a Gatehouse key file (32 bytes); restore it from a backup") }
            return SymmetricKey(data: data)
        }
        guard create else {
            throw StoreError.invalid("no key file at \(secretKeyPath): the credentials' secrets cannot be opened without it; restore it from a backup")
        }
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        // O_EXCL: created 0600 from the start and never overwritten; another process that made it first wins.
        let fd = open(secretKeyPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd < 0 {
            if errno == EEXIST { return try secretKey(create: false) }
            throw StoreError.invalid("cannot create the key file \(secretKeyPath): \(String(cString: strerror(errno))); check the folder's permissions")
        }
        defer { close(fd) }
        let written = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else {
            throw StoreError.invalid("cannot write the key file \(secretKeyPath): \(String(cString: strerror(errno)))")
        }
        return key
    }
}
