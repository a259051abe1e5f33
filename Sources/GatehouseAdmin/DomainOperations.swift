import Crypto
import Foundation
import GatehouseCore
import GatehouseStore

/// DomainName, BasePathMapping, ClientCertificate and DocumentationPart. Self-hosted: a domain's certificate
/// comes in the request as PEM (`certificateBody`, `certificatePrivateKey`, `certificateChain`, as AWS's
/// import of a certificate), is written beside the store (key 0600) and checked as the CLI checks it; a
/// truststore is a `file://` URI (AWS's is an S3 URI).
enum DomainOperations {
    static let table: [String: ManagementAPI.Operation] = [
        "CreateDomainName": createDomain, "GetDomainName": getDomain, "GetDomainNames": getDomains, "UpdateDomainName": updateDomain,
        "DeleteDomainName": deleteDomain,
        "CreateBasePathMapping": createMapping, "GetBasePathMapping": getMapping, "GetBasePathMappings": getMappings,
        "UpdateBasePathMapping": updateMapping, "DeleteBasePathMapping": deleteMapping,
        "GenerateClientCertificate": generateCertificate, "GetClientCertificate": getCertificate, "GetClientCertificates": getCertificates,
        "UpdateClientCertificate": updateCertificate, "DeleteClientCertificate": deleteCertificate,
        "CreateDocumentationPart": createPart, "GetDocumentationPart": getPart, "GetDocumentationParts": getParts,
        "UpdateDocumentationPart": updatePart, "DeleteDocumentationPart": deletePart,
    ]

    // MARK: Domain names

    static func domain(_ domain: DomainName) -> DocValue {
        ManagementShapes.object([
            ("domainName", .string(domain.domainName)), ("certificateName", .string(URL(fileURLWithPath: domain.certificatePath).lastPathComponent)),
            ("certificateUploadDate", ManagementShapes.date(domain.createdDate)),
            ("regionalDomainName", .string(domain.domainName)), ("domainNameStatus", .string("AVAILABLE")),
            ("endpointConfiguration", ManagementShapes.object([("types", ManagementShapes.list(["REGIONAL"]))])),
            ("securityPolicy", .string(domain.minimumTLSVersion.rawValue)),
            ("mutualTlsAuthentication", domain.truststorePath.map { ManagementShapes.object([("truststoreUri", .string("file://" + $0))]) }),
        ])
    }

    /// Where the management API keeps the PEM files it was given for a domain: `STORE.certificates/DOMAIN/`.
    static func certificateFolder(_ call: ManagementCall, domain: String) -> URL {
        URL(fileURLWithPath: call.store.path + ".certificates").appendingPathComponent(domain.replacingOccurrences(of: "*", with: "_wildcard_"))
    }

    static func truststore(_ uri: String?) throws -> String? {
        guard let uri, !uri.isEmpty else { return nil }
        guard uri.hasPrefix("file://") else {
            throw ManagementError.badRequest("truststoreUri must be a file:// URI on the worker's machine (no S3 here), got '\(uri)'")
        }
        return String(uri.dropFirst("file://".count))
    }

    static func tlsVersion(_ policy: String?) throws -> TLSVersion {
        guard let policy else { return .tls12 }
        guard let version = TLSVersion(rawValue: policy) else { throw ManagementError.badRequest("securityPolicy must be TLS_1_2 or TLS_1_3 here") }
        return version
    }

    static func createDomain(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let name = DomainName.normalized(try call.requiredString("domainName"))
        if let problem = DomainName.problem(withName: name) { throw ManagementError.badRequest(problem) }
        guard let body = call.string("certificateBody"), let key = call.string("certificatePrivateKey") else {
            throw ManagementError.badRequest("give the certificate as PEM in certificateBody and certificatePrivateKey (and certificateChain): "
                                             + "there is no certificate manager here to name by ARN")
        }
        let folder = certificateFolder(call, domain: name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let certificate = folder.appendingPathComponent("certificate.pem"), privateKey = folder.appendingPathComponent("key.pem")
        try Data(body.utf8).write(to: certificate, options: .atomic)
        guard FileManager.default.createFile(atPath: privateKey.path, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ManagementError(status: 500, type: "InternalServerErrorException", message: "the private key could not be written to \(privateKey.path)")
        }
        var chain: String?
        if let chainBody = call.string("certificateChain") {
            let chainFile = folder.appendingPathComponent("chain.pem")
            try Data(chainBody.utf8).write(to: chainFile, options: .atomic)
            chain = chainFile.path
        }
        let truststore = try truststore((call.json["mutualTlsAuthentication"] as? [String: Any])?["truststoreUri"] as? String)
        let created = DomainName(domainName: name, certificatePath: certificate.path, privateKeyPath: privateKey.path, chainPath: chain,
                                 minimumTLSVersion: try tlsVersion(call.string("securityPolicy")), truststorePath: truststore)
        do {
            try call.store.createDomain(created, actor: call.actor)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        return .json(domain(created))
    }

    static func findDomain(_ call: ManagementCall) throws -> DomainName {
        let name = call.variable("domain_name")
        guard let found = try call.store.domain(name) else { throw ManagementError.notFound("Invalid domain name identifier specified") }
        return found
    }

    static func getDomain(_ call: ManagementCall) throws -> ManagementAPI.Reply { .json(domain(try findDomain(call))) }

    static func getDomains(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(try call.page(try call.store.domains().map(domain)))
    }

    static func updateDomain(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let found = try findDomain(call)
        var version: TLSVersion?, store: String??
        for operation in try call.patchOperations() {
            switch (operation.op, operation.path) {
            case (.replace, "/securityPolicy"): version = try tlsVersion(try operation.requiredValue())
            case (.replace, "/mutualTlsAuthentication/truststoreUri"): store = .some(try truststore(operation.value))
            case (.remove, "/mutualTlsAuthentication"): store = .some(nil)
            default: throw operation.unsupported()
            }
        }
        try call.store.updateDomain(found.domainName, certificatePath: nil, privateKeyPath: nil, chainPath: nil, minimumTLSVersion: version,
                                    truststorePath: store, actor: call.actor)
        return .json(domain(try findDomain(call)))
    }

    static func deleteDomain(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let found = try findDomain(call)
        try call.store.deleteDomain(found.domainName, actor: call.actor)
        try? FileManager.default.removeItem(at: certificateFolder(call, domain: found.domainName))
        return .empty
    }

    // MARK: Base path mappings

    static func mapping(_ mapping: BasePathMapping) -> DocValue {
        ManagementShapes.object([("basePath", .string(mapping.basePath.isEmpty ? "(none)" : mapping.basePath)),
                                 ("restApiId", .string(mapping.restApiId)), ("stage", .string(mapping.stage))])
    }

    static func basePath(_ text: String?) -> String {
        guard let text, text != "(none)" else { return "" }
        return text.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    static func createMapping(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let name = try findDomain(call).domainName
        guard let stage = call.string("stage") else { throw ManagementError.badRequest("a base path mapping needs a stage here") }
        let created = BasePathMapping(domainName: name, basePath: basePath(call.string("basePath")), restApiId: try call.requiredString("restApiId"), stage: stage)
        try call.store.mapDomain(created, actor: call.actor)
        return .json(mapping(created))
    }

    static func findMapping(_ call: ManagementCall) throws -> BasePathMapping {
        let name = try findDomain(call).domainName, path = basePath(call.variable("base_path"))
        guard let found = try call.store.basePathMappings(domain: name).first(where: { $0.basePath == path }) else {
            throw ManagementError.notFound("Invalid base path mapping identifier specified")
        }
        return found
    }

    static func getMapping(_ call: ManagementCall) throws -> ManagementAPI.Reply { .json(mapping(try findMapping(call))) }

    static func getMappings(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(try call.page(try call.store.basePathMappings(domain: try findDomain(call).domainName).map(mapping)))
    }

    static func updateMapping(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        var changed = try findMapping(call)
        let before = changed
        for operation in try call.patchOperations() {
            switch (operation.op, operation.path) {
            case (.replace, "/basePath"): changed.basePath = basePath(operation.value)
            case (.replace, "/restapiId"), (.replace, "/restApiId"): changed.restApiId = try operation.requiredValue()
            case (.replace, "/stage"): changed.stage = try operation.requiredValue()
            default: throw operation.unsupported()
            }
        }
        try call.store.unmapDomain(before.domainName, basePath: before.basePath, actor: call.actor)
        do {
            try call.store.mapDomain(changed, actor: call.actor)
        } catch {
            try? call.store.mapDomain(before, actor: call.actor)
            throw error
        }
        return .json(mapping(changed))
    }

    static func deleteMapping(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let found = try findMapping(call)
        try call.store.unmapDomain(found.domainName, basePath: found.basePath, actor: call.actor)
        return .empty
    }

    // MARK: Client certificates

    static func certificate(_ certificate: ClientCertificate) -> DocValue {
        ManagementShapes.object([
            ("clientCertificateId", .string(certificate.clientCertificateId)), ("description", certificate.description.map(DocValue.string)),
            ("pemEncodedCertificate", .string(certificate.pemEncodedCertificate)),
            ("createdDate", ManagementShapes.date(certificate.createdDate)), ("expirationDate", ManagementShapes.date(certificate.expirationDate)),
        ])
    }

    static func generateCertificate(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(certificate(try call.store.createClientCertificate(description: call.string("description"), actor: call.actor)))
    }

    static func getCertificate(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(certificate(try call.store.clientCertificate(call.variable("clientcertificate_id"))))
    }

    static func getCertificates(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(try call.page(try call.store.clientCertificates().map(certificate)))
    }

    static func updateCertificate(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("clientcertificate_id")
        for operation in try call.patchOperations() {
            guard operation.op == .replace, operation.path == "/description" else { throw operation.unsupported() }
            try call.store.setClientCertificateDescription(id, description: operation.value, actor: call.actor)
        }
        return .json(certificate(try call.store.clientCertificate(id)))
    }

    static func deleteCertificate(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try call.store.deleteClientCertificate(call.variable("clientcertificate_id"), actor: call.actor)
        return .empty
    }

    // MARK: Documentation parts (the id is a digest of the location)

    static func partId(_ location: DocumentationPart.Location) -> String {
        let text = [location.type, location.path ?? "", location.method ?? "", location.statusCode ?? "", location.name ?? ""].joined(separator: "\u{1F}")
        return String(SigV4.hex(SHA256.hash(data: Data(text.utf8))).prefix(10))
    }

    static func part(_ part: DocumentationPart) -> DocValue {
        let location = part.location
        return ManagementShapes.object([
            ("id", .string(partId(location))),
            ("location", ManagementShapes.object([("type", .string(location.type)), ("path", location.path.map(DocValue.string)),
                                                  ("method", location.method.map(DocValue.string)), ("statusCode", location.statusCode.map(DocValue.string)),
                                                  ("name", location.name.map(DocValue.string))])),
            ("properties", .string(part.properties)),
        ])
    }

    static func createPart(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        guard let location = call.json["location"] as? [String: Any], let type = location["type"] as? String,
              DocumentationPart.Location.types.contains(type) else {
            throw ManagementError.badRequest("location.type must be one of \(DocumentationPart.Location.types.joined(separator: ", "))")
        }
        let created = DocumentationPart(location: DocumentationPart.Location(type: type, path: location["path"] as? String, method: location["method"] as? String,
                                                                            statusCode: location["statusCode"] as? String, name: location["name"] as? String),
                                        properties: try call.requiredString("properties"))
        guard (try? JSONSerialization.jsonObject(with: Data(created.properties.utf8))) is [String: Any] else {
            throw ManagementError.badRequest("properties must be a JSON object")
        }
        try ResourceOperations.change(call, target: "documentation/parts") { definition in
            var documentation = definition.restApi.documentation ?? ApiDocumentation(parts: [])
            guard !documentation.parts.contains(where: { partId($0.location) == partId(created.location) }) else {
                throw ManagementError.conflict("Documentation part already exists for this location")
            }
            documentation.parts.append(created)
            definition.restApi.documentation = documentation
        }
        return .json(part(created))
    }

    static func findPart(_ definition: ApiDefinition, _ id: String) throws -> DocumentationPart {
        guard let found = definition.restApi.documentation?.parts.first(where: { partId($0.location) == id }) else {
            throw ManagementError.notFound("Invalid Documentation part identifier specified")
        }
        return found
    }

    static func getPart(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(part(try findPart(try RestApiOperations.definition(call), call.variable("part_id"))))
    }

    static func getParts(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        var parts = try RestApiOperations.definition(call).restApi.documentation?.parts ?? []
        if let type = call.query["type"] { parts = parts.filter { $0.location.type == type } }
        if let path = call.query["path"] { parts = parts.filter { $0.location.path == path } }
        return .json(try call.page(parts.map(part)))
    }

    static func updatePart(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("part_id"), operations = try call.patchOperations()
        let updated = try ResourceOperations.change(call, target: "documentation/parts/\(id)") { definition -> DocumentationPart in
            guard var documentation = definition.restApi.documentation,
                  let index = documentation.parts.firstIndex(where: { partId($0.location) == id }) else {
                throw ManagementError.notFound("Invalid Documentation part identifier specified")
            }
            for operation in operations {
                guard operation.op == .replace, operation.path == "/properties" else { throw operation.unsupported() }
                let properties = try operation.requiredValue()
                guard (try? JSONSerialization.jsonObject(with: Data(properties.utf8))) is [String: Any] else {
                    throw ManagementError.badRequest("properties must be a JSON object")
                }
                documentation.parts[index].properties = properties
            }
            definition.restApi.documentation = documentation
            return documentation.parts[index]
        }
        return .json(part(updated))
    }

    static func deletePart(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("part_id")
        try ResourceOperations.change(call, target: "documentation/parts/\(id)") { definition in
            _ = try findPart(definition, id)
            definition.restApi.documentation?.parts.removeAll { partId($0.location) == id }
        }
        return .empty
    }
}
