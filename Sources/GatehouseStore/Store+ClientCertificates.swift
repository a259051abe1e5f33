import Crypto
import Foundation
import GatehouseCore
import GRDB
import X509

/// Backend client certificates (AWS's `GenerateClientCertificate`): a P-256 key and a self-signed certificate
/// for client authentication, valid 365 days as AWS's are. The key is sealed with the store's key file, as
/// credentials' secrets are; stages name a certificate to present on every HTTPS integration call.
extension Store {
    /// Makes a key pair and its certificate; returns the certificate (PEM inside).
    public func createClientCertificate(description: String?, actor: Actor, now: Date = Date()) throws -> ClientCertificate {
        let id = RandomText.make(count: 10, from: "abcdefghijklmnopqrstuvwxyz0123456789")
        let key = P256.Signing.PrivateKey()
        let certificateKey = Certificate.PrivateKey(key)
        let expires = now.addingTimeInterval(365 * 86_400)
        let pem: String
        do {
            let name = try DistinguishedName {
                OrganizationName("Gatehouse")
                CommonName("gatehouse client certificate \(id)")
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: certificateKey.publicKey,
                notValidBefore: now.addingTimeInterval(-60), notValidAfter: expires, issuer: name, subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                // Only the client-auth purpose: backends pin this self-signed certificate as its own trust anchor,
                // which OpenSSL refuses when a key usage without keyCertSign says it cannot sign itself.
                extensions: try Certificate.Extensions {
                    try ExtendedKeyUsage([.clientAuth])
                },
                issuerPrivateKey: certificateKey)
            pem = try certificate.serializeAsPEM().pemString
        } catch {
            throw StoreError.invalid("cannot make the client certificate: \(error)")
        }
        let sealed = try AES.GCM.seal(Data(key.pemRepresentation.utf8), using: try secretKey(create: true)).combined ?? Data()
        let made = ClientCertificate(clientCertificateId: id, description: description, pemEncodedCertificate: pem, createdDate: now, expirationDate: expires)
        try write { db in
            try db.execute(sql: "INSERT INTO client_certificate (id, description, pem, key_sealed, created, expires) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [id, description, pem, sealed, now.timeIntervalSince1970, expires.timeIntervalSince1970])
            try Self.audit(db, actor: actor, action: "GenerateClientCertificate", target: "clientcertificates/\(id)", before: nil,
                           after: "\(description ?? "no description"), expires \(ISO8601DateFormatter().string(from: expires))")
        }
        return made
    }

    public func clientCertificates() throws -> [ClientCertificate] {
        try read { db in try Self.loadClientCertificates(db) }
    }

    public func clientCertificate(_ id: String) throws -> ClientCertificate {
        guard let found = try read({ db in try Self.loadClientCertificates(db, id: id).first }) else { throw Self.clientCertificateNotFound(id) }
        return found
    }

    /// Deletes a certificate no stage presents.
    public func deleteClientCertificate(_ id: String, actor: Actor) throws {
        try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM client_certificate WHERE id = ?", arguments: [id]) == true else {
                throw Self.clientCertificateNotFound(id)
            }
            let users = try Row.fetchAll(db, sql: "SELECT rest_api_id, stage_name FROM stage WHERE client_certificate_id = ?", arguments: [id])
                .map { "\($0[0] as String)/\($0[1] as String)" }
            guard users.isEmpty else {
                throw StoreError.invalid("client certificate \(id) is presented by \(users.joined(separator: ", ")); "
                                         + "give those stages another (`gatehouse stage set --client-cert`) or none (--client-cert none) first")
            }
            try db.execute(sql: "DELETE FROM client_certificate WHERE id = ?", arguments: [id])
            try Self.audit(db, actor: actor, action: "DeleteClientCertificate", target: "clientcertificates/\(id)", before: "present", after: nil)
        }
    }

    /// Names the certificate a stage presents to its HTTPS backends (nil: none); enforced within a second.
    public func setStageClientCertificate(apiId: String, stageName: String, id: String?, actor: Actor) throws {
        try write { db in
            var stage = try Self.existingStage(db, apiId: apiId, stageName: stageName)
            if let id, try Bool.fetchOne(db, sql: "SELECT 1 FROM client_certificate WHERE id = ?", arguments: [id]) != true {
                throw Self.clientCertificateNotFound(id)
            }
            let before = stage.clientCertificateId ?? "none"
            stage.clientCertificateId = id
            stage.lastUpdatedDate = Date()
            try Self.saveStage(db, stage)
            try Self.audit(db, actor: actor, action: "UpdateStage(clientCertificateId)", target: "restapis/\(apiId)/stages/\(stageName)",
                           before: before, after: id ?? "none")
        }
    }

    /// The certificates with their keys opened, for the worker; a missing or wrong key file is a problem named.
    func servedClientCertificates() throws -> ([String: GatewayConfiguration.ServedClientCertificate], problem: String?) {
        let rows = try read { db in try Row.fetchAll(db, sql: "SELECT id, pem, key_sealed FROM client_certificate") }
        guard !rows.isEmpty else { return ([:], nil) }
        let key: SymmetricKey
        do { key = try secretKey(create: false) } catch { return ([:], "\(error)") }
        var served: [String: GatewayConfiguration.ServedClientCertificate] = [:]
        for row in rows {
            let id: String = row[0]
            guard let box = try? AES.GCM.SealedBox(combined: row[2] as Data), let opened = try? AES.GCM.open(box, using: key) else {
                return ([:], "the key of client certificate \(id) cannot be opened with \(secretKeyPath): the key file is not the one it was sealed with")
            }
            served[id] = .init(id: id, certificatePem: row[1], privateKeyPem: String(decoding: opened, as: UTF8.self))
        }
        return (served, nil)
    }

    static func clientCertificateNotFound(_ id: String) -> StoreError {
        .notFound(what: "client certificate \(id)", hint: "`gatehouse client-cert list` shows them")
    }

    static func loadClientCertificates(_ db: Database, id: String? = nil) throws -> [ClientCertificate] {
        let sql = "SELECT id, description, pem, created, expires FROM client_certificate" + (id == nil ? "" : " WHERE id = ?") + " ORDER BY created"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(id.map { [$0] } ?? [])).map { row in
            ClientCertificate(clientCertificateId: row[0], description: row[1], pemEncodedCertificate: row[2],
                              createdDate: Date(timeIntervalSince1970: row[3]), expirationDate: Date(timeIntervalSince1970: row[4]))
        }
    }
}

extension Store {
    /// Changes a client certificate's description (AWS's UpdateClientCertificate).
    public func setClientCertificateDescription(_ id: String, description: String?, actor: Actor) throws {
        try write { db in
            guard let before = try String?.fetchOne(db, sql: "SELECT description FROM client_certificate WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound(what: "client certificate \(id)", hint: "`gatehouse client-cert list` shows them")
            }
            try db.execute(sql: "UPDATE client_certificate SET description = ? WHERE id = ?", arguments: [description, id])
            try Self.audit(db, actor: actor, action: "UpdateClientCertificate", target: "clientcertificates/\(id)",
                           before: before ?? "no description", after: description ?? "no description")
        }
    }
}
