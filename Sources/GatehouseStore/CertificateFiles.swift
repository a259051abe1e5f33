import Crypto
import Foundation
import GatehouseCore
import X509

/// Reads PEM certificate and key files for custom domains, so a bad file is refused with the reason when the
/// domain is created (not at the first handshake), and so the CLI and console can show who a certificate names
/// and when it expires.
public enum CertificateFiles {
    /// What a certificate file holds that operators look at.
    public struct Summary: Sendable, Equatable {
        public var subject: String
        public var dnsNames: [String]
        public var notAfter: Date
        /// The leaf's SHA-256 fingerprint (hex), which changes when the file is replaced.
        public var fingerprint: String
    }

    /// The PEM blocks of one type (`CERTIFICATE`) in `text`, in order.
    public static func pemBlocks(_ text: String, type: String = "CERTIFICATE") -> [String] {
        let begin = "-----BEGIN \(type)-----", end = "-----END \(type)-----"
        var blocks: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: begin), let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex) {
            blocks.append(String(rest[start.lowerBound..<stop.upperBound]))
            rest = rest[stop.upperBound...]
        }
        return blocks
    }

    static func read(_ path: String, what: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw StoreError.invalid("cannot read the \(what) \(path): give the path of a readable PEM file")
        }
        return text
    }

    /// The certificates of a PEM file (a leaf, a chain or a CA bundle), at least one.
    public static func certificates(at path: String, what: String) throws -> [Certificate] {
        let blocks = pemBlocks(try read(path, what: what))
        guard !blocks.isEmpty else { throw StoreError.invalid("the \(what) \(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----)") }
        return try blocks.map { block in
            do { return try Certificate(pemEncoded: block) } catch {
                throw StoreError.invalid("the \(what) \(path) holds a certificate that cannot be read: \(error)")
            }
        }
    }

    public static func summary(of certificate: Certificate) -> Summary {
        var names: [String] = []
        if let sans = try? certificate.extensions.subjectAlternativeNames {
            for name in sans { if case .dnsName(let dns) = name { names.append(dns.lowercased()) } }
        }
        let der = (try? certificate.serializeAsPEM().derBytes) ?? []
        let digest = SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
        return Summary(subject: certificate.subject.description, dnsNames: names, notAfter: certificate.notValidAfter, fingerprint: digest)
    }

    /// Whether `name` is one the certificate's DNS names cover (exactly, or by a `*.` wildcard of one label).
    public static func covers(_ summary: Summary, name: String) -> Bool {
        summary.dnsNames.contains { pattern in
            if pattern == name { return true }
            guard pattern.hasPrefix("*."), let dot = name.firstIndex(of: ".") else { return false }
            return name[dot...] == pattern.dropFirst()
        }
    }

    /// Checks a domain's files: the certificate reads and names the domain, the key reads and belongs to it,
    /// the chain and truststore read. Returns the leaf's summary.
    public static func validate(_ domain: DomainName) throws -> Summary {
        guard let leaf = try certificates(at: domain.certificatePath, what: "certificate").first else {
            throw StoreError.invalid("the certificate \(domain.certificatePath) holds no certificate")
        }
        let keyText = try read(domain.privateKeyPath, what: "private key")
        let key: Certificate.PrivateKey
        do { key = try Certificate.PrivateKey(pemEncoded: keyText) } catch {
            throw StoreError.invalid("the private key \(domain.privateKeyPath) cannot be read (\(error)); give a PEM RSA, EC or Ed25519 key")
        }
        guard key.publicKey == leaf.publicKey else {
            throw StoreError.invalid("the private key \(domain.privateKeyPath) is not the key of the certificate \(domain.certificatePath)")
        }
        let summary = summary(of: leaf)
        guard covers(summary, name: domain.domainName) else {
            throw StoreError.invalid("the certificate \(domain.certificatePath) does not name \(domain.domainName) (its DNS names: "
                                     + "\(summary.dnsNames.isEmpty ? "none" : summary.dnsNames.joined(separator: ", "))); clients would refuse it")
        }
        if let chain = domain.chainPath { _ = try certificates(at: chain, what: "chain") }
        if let truststore = domain.truststorePath { _ = try certificates(at: truststore, what: "truststore") }
        return summary
    }
}
