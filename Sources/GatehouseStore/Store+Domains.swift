import Foundation
import GatehouseCore
import GRDB

/// Custom domain names and their base path mappings (AWS's `CreateDomainName`, `CreateBasePathMapping`): written
/// by any process, audited, served by the worker within a second. A domain's files are checked when it is
/// created or its certificate replaced, so a bad certificate is refused here, never at a client's handshake.
extension Store {
    /// Creates a domain; returns its certificate's summary (names, expiry).
    @discardableResult
    public func createDomain(_ domain: DomainName, actor: Actor) throws -> CertificateFiles.Summary {
        if let problem = DomainName.problem(withName: domain.domainName) { throw StoreError.invalid(problem) }
        let summary = try CertificateFiles.validate(domain)
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM domain_name WHERE domain_name = ?", arguments: [domain.domainName]) == true {
                throw StoreError.invalid("the domain \(domain.domainName) exists; replace its certificate with `gatehouse domain update`")
            }
            try Self.saveDomain(db, domain, insert: true)
            try Self.audit(db, actor: actor, action: "CreateDomainName", target: "domainnames/\(domain.domainName)", before: nil,
                           after: Self.domainSummary(domain, summary))
        }
        return summary
    }

    /// Points a domain at other certificate files (or another TLS minimum or truststore); new connections get
    /// them within a second.
    @discardableResult
    public func updateDomain(_ name: String, certificatePath: String?, privateKeyPath: String?, chainPath: String??,
                             minimumTLSVersion: TLSVersion?, truststorePath: String??, actor: Actor) throws -> CertificateFiles.Summary {
        let normalized = DomainName.normalized(name)
        guard var domain = try domain(normalized) else { throw Self.domainNotFound(normalized) }
        let before = domain
        if let certificatePath { domain.certificatePath = certificatePath }
        if let privateKeyPath { domain.privateKeyPath = privateKeyPath }
        if let chainPath { domain.chainPath = chainPath }
        if let minimumTLSVersion { domain.minimumTLSVersion = minimumTLSVersion }
        if let truststorePath { domain.truststorePath = truststorePath }
        let summary = try CertificateFiles.validate(domain)
        let beforeSummary = (try? CertificateFiles.validate(before)).map { Self.domainSummary(before, $0) } ?? "unreadable files"
        try write { db in
            try Self.saveDomain(db, domain, insert: false)
            try Self.audit(db, actor: actor, action: "UpdateDomainName", target: "domainnames/\(domain.domainName)",
                           before: beforeSummary, after: Self.domainSummary(domain, summary))
        }
        return summary
    }

    public func deleteDomain(_ name: String, actor: Actor) throws {
        let normalized = DomainName.normalized(name)
        try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM domain_name WHERE domain_name = ?", arguments: [normalized]) == true else {
                throw Self.domainNotFound(normalized)
            }
            let mappings = try Int.fetchOne(db, sql: "SELECT count(*) FROM base_path_mapping WHERE domain_name = ?", arguments: [normalized]) ?? 0
            try db.execute(sql: "DELETE FROM domain_name WHERE domain_name = ?", arguments: [normalized])
            try Self.audit(db, actor: actor, action: "DeleteDomainName", target: "domainnames/\(normalized)",
                           before: "\(mappings) mapping(s)", after: nil)
        }
    }

    public func domains() throws -> [DomainName] {
        try read { db in try Self.loadDomains(db) }
    }

    public func domain(_ name: String) throws -> DomainName? {
        try read { db in try Self.loadDomains(db, name: DomainName.normalized(name)).first }
    }

    /// Maps `basePath` (empty for `(none)`) of a domain to an API stage.
    public func mapDomain(_ mapping: BasePathMapping, actor: Actor) throws {
        if let problem = BasePathMapping.problem(withBasePath: mapping.basePath) { throw StoreError.invalid(problem) }
        try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM domain_name WHERE domain_name = ?", arguments: [mapping.domainName]) == true else {
                throw Self.domainNotFound(mapping.domainName)
            }
            _ = try Self.existingStage(db, apiId: mapping.restApiId, stageName: mapping.stage)
            if let taken = try Row.fetchOne(db, sql: "SELECT rest_api_id, stage FROM base_path_mapping WHERE domain_name = ? AND base_path = ?",
                                            arguments: [mapping.domainName, mapping.basePath]) {
                throw StoreError.invalid("\(mapping.domainName) base path \(mapping.displayBasePath) is mapped to \(taken[0] as String)/\(taken[1] as String); "
                                         + "unmap it first (`gatehouse domain unmap`)")
            }
            try db.execute(sql: "INSERT INTO base_path_mapping (domain_name, base_path, rest_api_id, stage) VALUES (?, ?, ?, ?)",
                           arguments: [mapping.domainName, mapping.basePath, mapping.restApiId, mapping.stage])
            try Self.audit(db, actor: actor, action: "CreateBasePathMapping", target: "domainnames/\(mapping.domainName)/basepathmappings/\(mapping.displayBasePath)",
                           before: nil, after: "\(mapping.restApiId)/\(mapping.stage)")
        }
    }

    public func unmapDomain(_ name: String, basePath: String, actor: Actor) throws {
        let domain = DomainName.normalized(name), path = BasePathMapping.normalized(basePath)
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT rest_api_id, stage FROM base_path_mapping WHERE domain_name = ? AND base_path = ?",
                                             arguments: [domain, path]) else {
                throw StoreError.notFound(what: "base path \(path.isEmpty ? "(none)" : path) of \(domain)", hint: "`gatehouse domain show --name \(domain)` lists its mappings")
            }
            try db.execute(sql: "DELETE FROM base_path_mapping WHERE domain_name = ? AND base_path = ?", arguments: [domain, path])
            try Self.audit(db, actor: actor, action: "DeleteBasePathMapping", target: "domainnames/\(domain)/basepathmappings/\(path.isEmpty ? "(none)" : path)",
                           before: "\(row[0] as String)/\(row[1] as String)", after: nil)
        }
    }

    /// Every mapping (of one domain, when named), by domain and base path.
    public func basePathMappings(domain: String? = nil) throws -> [BasePathMapping] {
        try read { db in try Self.loadMappings(db, domain: domain.map { DomainName.normalized($0) }) }
    }

    /// Sets an API's endpoint type; the worker enforces it within a second (no deploy needed: a PRIVATE API must
    /// not stay public until the next deploy).
    public func setEndpointType(apiId: String, type: EndpointType, actor: Actor) throws {
        try write { db in
            guard let api = try RestApiRecord.fetchOne(db, key: apiId) else { throw Self.apiNotFound(apiId) }
            try db.execute(sql: "UPDATE rest_api SET endpoint_type = ? WHERE id = ?", arguments: [type.rawValue, apiId])
            try Self.audit(db, actor: actor, action: "UpdateRestApi(endpointConfiguration)", target: "restapis/\(apiId)",
                           before: api.endpointType ?? EndpointType.regional.rawValue, after: type.rawValue)
        }
    }

    // MARK: rows

    static func domainNotFound(_ name: String) -> StoreError {
        .notFound(what: "domain \(name)", hint: "`gatehouse domain list` shows them")
    }

    static func domainSummary(_ domain: DomainName, _ summary: CertificateFiles.Summary) -> String {
        "certificate \(domain.certificatePath) (sha256 \(summary.fingerprint.prefix(16)), expires \(ISO8601DateFormatter().string(from: summary.notAfter))), "
            + "min \(domain.minimumTLSVersion.rawValue)\(domain.truststorePath.map { ", mutual TLS with \($0)" } ?? "")"
    }

    static func saveDomain(_ db: Database, _ domain: DomainName, insert: Bool) throws {
        let arguments: StatementArguments = [domain.certificatePath, domain.privateKeyPath, domain.chainPath, domain.minimumTLSVersion.rawValue,
                                             domain.truststorePath, domain.domainName]
        if insert {
            try db.execute(sql: """
                INSERT INTO domain_name (certificate_path, private_key_path, chain_path, minimum_tls, truststore_path, domain_name, created)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: arguments + [domain.createdDate.timeIntervalSince1970])
        } else {
            try db.execute(sql: """
                UPDATE domain_name SET certificate_path = ?, private_key_path = ?, chain_path = ?, minimum_tls = ?, truststore_path = ?
                WHERE domain_name = ?
                """, arguments: arguments)
        }
    }

    static func loadDomains(_ db: Database, name: String? = nil) throws -> [DomainName] {
        let sql = "SELECT * FROM domain_name" + (name == nil ? "" : " WHERE domain_name = ?") + " ORDER BY domain_name"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(name.map { [$0] } ?? [])).map { row in
            DomainName(domainName: row["domain_name"], certificatePath: row["certificate_path"], privateKeyPath: row["private_key_path"],
                       chainPath: row["chain_path"], minimumTLSVersion: TLSVersion(rawValue: row["minimum_tls"]) ?? .tls12,
                       truststorePath: row["truststore_path"], createdDate: Date(timeIntervalSince1970: row["created"]))
        }
    }

    static func loadMappings(_ db: Database, domain: String? = nil) throws -> [BasePathMapping] {
        let sql = "SELECT * FROM base_path_mapping" + (domain == nil ? "" : " WHERE domain_name = ?") + " ORDER BY domain_name, base_path"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(domain.map { [$0] } ?? [])).map { row in
            BasePathMapping(domainName: row["domain_name"], basePath: row["base_path"], restApiId: row["rest_api_id"], stage: row["stage"])
        }
    }
}
