import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse domain create|update|map|unmap|list|show|delete`: custom domain names served by the TLS listener
/// (certificates by SNI) and their base path mappings to API stages (AWS's DomainName and BasePathMapping).
struct DomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain",
        abstract: "Custom domain names: certificates served by SNI, mutual TLS, and base path mappings to API stages.",
        subcommands: [Create.self, Update.self, Map.self, Unmap.self, List.self, Show.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a domain from PEM files (checked now: the certificate must name it and match the key).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The domain name, e.g. api.example.test.") var name: String
        @Option(help: "The certificate, a PEM file.") var cert: String
        @Option(help: "Its private key, a PEM file.") var key: String
        @Option(help: "Intermediate certificates, a PEM file.") var chain: String?
        @Option(help: "Lowest TLS version accepted: 1.2 or 1.3.") var minTls = "1.2"
        @Option(help: "CA certificates (PEM) client certificates must chain to: mutual TLS.") var truststore: String?

        func run() async throws {
            try await reportingErrors {
                guard let version = TLSVersion(flag: minTls) else { throw ValidationError("--min-tls is 1.2 or 1.3, got '\(minTls)'") }
                let domain = DomainName(domainName: name, certificatePath: absolute(cert), privateKeyPath: absolute(key), chainPath: chain.map(absolute),
                                        minimumTLSVersion: version, truststorePath: truststore.map(absolute))
                let summary = try storeOptions.open(.readWrite).createDomain(domain, actor: Actor.current(source: "cli"))
                print("\(domain.domainName): certificate for \(summary.dnsNames.joined(separator: ", ")), expires \(day(summary.notAfter))"
                      + "\(domain.truststorePath == nil ? "" : "; mutual TLS"); map it with `gatehouse domain map --name \(domain.domainName) --api ID --stage S`")
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Point a domain at new certificate files (new connections get them within a second).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The domain name.") var name: String
        @Option(help: "The certificate, a PEM file.") var cert: String?
        @Option(help: "Its private key, a PEM file.") var key: String?
        @Option(help: "Intermediate certificates, a PEM file (empty to remove).") var chain: String?
        @Option(help: "Lowest TLS version accepted: 1.2 or 1.3.") var minTls: String?
        @Option(help: "CA certificates for mutual TLS (empty to turn it off).") var truststore: String?

        func run() async throws {
            try await reportingErrors {
                var version: TLSVersion?
                if let minTls {
                    guard let parsed = TLSVersion(flag: minTls) else { throw ValidationError("--min-tls is 1.2 or 1.3, got '\(minTls)'") }
                    version = parsed
                }
                let summary = try storeOptions.open(.readWrite).updateDomain(
                    name, certificatePath: cert.map(absolute), privateKeyPath: key.map(absolute),
                    chainPath: chain.map { $0.isEmpty ? nil : absolute($0) }, minimumTLSVersion: version,
                    truststorePath: truststore.map { $0.isEmpty ? nil : absolute($0) }, actor: Actor.current(source: "cli"))
                print("\(DomainName.normalized(name)): certificate sha256 \(summary.fingerprint.prefix(16)), expires \(day(summary.notAfter))")
            }
        }
    }

    struct Map: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Map a base path of a domain (none: every path) to an API stage.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The domain name.") var name: String
        @Option(help: "The API id.") var api: String
        @Option(help: "The stage.") var stage: String
        @Option(help: "The base path, one or more segments (v1, v1/orders); empty or (none) for every path.") var basePath = ""

        func run() async throws {
            try await reportingErrors {
                let mapping = BasePathMapping(domainName: name, basePath: basePath, restApiId: api, stage: stage)
                try storeOptions.open(.readWrite).mapDomain(mapping, actor: Actor.current(source: "cli"))
                print("\(mapping.domainName)/\(mapping.basePath) -> \(api)/\(stage)")
            }
        }
    }

    struct Unmap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a base path mapping.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The domain name.") var name: String
        @Option(help: "The base path; empty or (none) for the domain's catch-all mapping.") var basePath = ""

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).unmapDomain(name, basePath: basePath, actor: Actor.current(source: "cli"))
                print("\(DomainName.normalized(name)): base path \(BasePathMapping.normalized(basePath).isEmpty ? "(none)" : BasePathMapping.normalized(basePath)) unmapped")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every domain: certificate expiry, TLS minimum, mutual TLS, mappings.")
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readOnly)
                let mappings = Dictionary(grouping: try store.basePathMappings(), by: \.domainName)
                print("DOMAIN\tEXPIRES\tMIN TLS\tMUTUAL TLS\tMAPPINGS")
                for domain in try store.domains() {
                    let expiry = (try? CertificateFiles.certificates(at: domain.certificatePath, what: "certificate").first).map { day($0.notValidAfter) } ?? "unreadable"
                    let mapped = (mappings[domain.domainName] ?? []).map { "\($0.displayBasePath)->\($0.restApiId)/\($0.stage)" }
                    print("\(domain.domainName)\t\(expiry)\t\(domain.minimumTLSVersion.rawValue)\t\(domain.truststorePath == nil ? "no" : "yes")\t"
                          + (mapped.isEmpty ? "-" : mapped.joined(separator: " ")))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One domain: its files, its certificate and its mappings.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The domain name.") var name: String

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readOnly)
                guard let domain = try store.domain(name) else {
                    throw StoreError.notFound(what: "domain \(DomainName.normalized(name))", hint: "`gatehouse domain list` shows them")
                }
                print("domain:       \(domain.domainName)")
                print("certificate:  \(domain.certificatePath)")
                print("key:          \(domain.privateKeyPath)")
                if let chain = domain.chainPath { print("chain:        \(chain)") }
                print("minimum TLS:  \(domain.minimumTLSVersion.rawValue)")
                print("mutual TLS:   \(domain.truststorePath.map { "yes, truststore \($0)" } ?? "no")")
                if let leaf = try? CertificateFiles.certificates(at: domain.certificatePath, what: "certificate").first {
                    let summary = CertificateFiles.summary(of: leaf)
                    let days = Int(summary.notAfter.timeIntervalSinceNow / 86_400)
                    print("subject:      \(summary.subject)")
                    print("names:        \(summary.dnsNames.joined(separator: ", "))")
                    print("expires:      \(day(summary.notAfter)) (\(days) days\(days < 30 ? ", renew it" : ""))")
                    print("sha256:       \(summary.fingerprint)")
                } else {
                    print("certificate:  cannot be read now; the worker keeps serving the last one it loaded")
                }
                for mapping in try store.basePathMappings(domain: domain.domainName) {
                    print("mapping:      \(mapping.displayBasePath) -> \(mapping.restApiId)/\(mapping.stage)")
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a domain and its mappings.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The domain name.") var name: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).deleteDomain(name, actor: Actor.current(source: "cli"))
                print("\(DomainName.normalized(name)): deleted")
            }
        }
    }
}

private func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}

private func day(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate]
    return formatter.string(from: date)
}
