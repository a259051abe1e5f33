import Foundation

/// A custom domain name (AWS's `DomainName`): the certificate a TLS listener presents for it (picked by SNI),
/// the lowest TLS version it accepts, and, for mutual TLS, the CA bundle its clients' certificates must chain to.
/// Certificates are files the worker reads (and re-reads when they change on disk), as nginx's are.
public struct DomainName: Codable, Sendable, Equatable {
    /// Lower-cased, without a trailing dot: `api.example.test`.
    public var domainName: String
    /// PEM files: the leaf certificate, its private key, and optionally the intermediate chain.
    public var certificatePath: String
    public var privateKeyPath: String
    public var chainPath: String?
    public var minimumTLSVersion: TLSVersion
    /// A PEM bundle of CAs; when set, clients must present a certificate that chains to one (mutual TLS).
    public var truststorePath: String?
    public var createdDate: Date

    public init(domainName: String, certificatePath: String, privateKeyPath: String, chainPath: String? = nil,
                minimumTLSVersion: TLSVersion = .tls12, truststorePath: String? = nil, createdDate: Date = Date()) {
        self.domainName = DomainName.normalized(domainName)
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.chainPath = chainPath
        self.minimumTLSVersion = minimumTLSVersion
        self.truststorePath = truststorePath
        self.createdDate = createdDate
    }

    /// The files a change to which is a new certificate for new connections.
    public var files: [String] { [certificatePath, privateKeyPath] + [chainPath, truststorePath].compactMap { $0 } }

    /// Host names compare case-insensitively, without a port or a trailing dot.
    public static func normalized(_ host: some StringProtocol) -> String {
        var name = Substring(host).lowercased()
        if name.hasPrefix("[") {
            // An IPv6 literal: `[::1]:8443`.
            if let end = name.firstIndex(of: "]") { return String(name[...end]) }
            return name
        }
        if let colon = name.lastIndex(of: ":") { name = String(name[..<colon]) }
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// Why `name` cannot be a domain name, or nil when it can (letters, digits, hyphens, dots; a leading
    /// `*.` for a wildcard certificate's domain is not served here).
    public static func problem(withName name: String) -> String? {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !name.isEmpty, name.utf8.count <= 253, labels.count >= 2 else {
            return "'\(name)' is not a domain name: give a fully qualified name such as api.example.test"
        }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                  label.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) }) else {
                return "'\(name)' is not a domain name: each dot-separated label is 1-63 letters, digits or hyphens"
            }
        }
        return nil
    }
}

/// The lowest TLS version a domain accepts (AWS's security policies `TLS_1_2`; `TLS_1_3` here as well).
public enum TLSVersion: String, Codable, Sendable, CaseIterable {
    case tls12 = "TLS_1_2"
    case tls13 = "TLS_1_3"

    /// Reads `1.2`, `1.3`, `TLS_1_2`, `tls1.3`.
    public init?(flag: String) {
        switch flag.lowercased().replacingOccurrences(of: "_", with: ".").replacingOccurrences(of: "tls", with: "") {
        case "1.2", ".1.2": self = .tls12
        case "1.3", ".1.3": self = .tls13
        default: return nil
        }
    }
}
