import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import X509

/// The TLS listener's server contexts, one per custom domain, picked by SNI. A context is made on the first
/// handshake for its domain and kept; its files are looked at again at most once a second, and a changed file
/// (a certificate rotated on disk) or a changed domain (new paths in the store) makes a new context for new
/// connections while open ones keep theirs. Files that no longer load leave the last good context in place.
final class TLSContexts: Sendable {
    /// Why a handshake could not be offered a certificate.
    enum Refusal: Error, CustomStringConvertible {
        case noServerName
        case unknownDomain(String)
        case unloadable(domain: String, reason: String)

        var description: String {
            switch self {
            case .noServerName: return "the client sent no server name (SNI); custom domains are picked by it"
            case .unknownDomain(let name): return "no custom domain \(name) (`gatehouse domain list`)"
            case .unloadable(let domain, let reason): return "the certificate of \(domain) cannot be loaded: \(reason)"
            }
        }

        /// The `/metrics` label of the failure.
        var reason: String {
            switch self {
            case .noServerName: return "no_sni"
            case .unknownDomain: return "unknown_domain"
            case .unloadable: return "certificate_unloadable"
            }
        }
    }

    private struct Entry {
        var domain: DomainName
        var files: [FileStamp]
        var context: NIOSSLContext
        var checked: NIODeadline
        var notAfter: Date?
    }

    /// What identifies a file's content without reading it: inode, size and modification time.
    struct FileStamp: Equatable {
        var path: String
        var inode: UInt64
        var size: Int64
        var modified: Int64

        init(path: String) {
            self.path = path
            var info = stat()
            if stat(path, &info) == 0 {
                inode = UInt64(info.st_ino)
                size = Int64(info.st_size)
                modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            } else {
                inode = 0; size = -1; modified = 0
            }
        }
    }

    private let table: RoutingTableBox
    private let metrics: GatewayMetrics
    private let logger: Logger
    /// Where files are looked at and contexts made, off the event loops (nil: on the caller's thread, in tests).
    private let io: NIOThreadPool?
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    /// How long a file check holds.
    let recheckAfter: TimeAmount

    init(table: RoutingTableBox, metrics: GatewayMetrics, logger: Logger, io: NIOThreadPool? = nil, recheckAfter: TimeAmount = .seconds(1)) {
        self.io = io
        self.table = table
        self.metrics = metrics
        self.logger = logger
        self.recheckAfter = recheckAfter
    }

    /// The context for a client hello's server name, on `loop`: at once when it is known and was checked within
    /// the last second; otherwise the files are looked at (and a context made) on the I/O pool, never on the loop.
    func context(serverName: String?, on loop: any EventLoop) -> EventLoopFuture<NIOSSLContext> {
        do {
            if let ready = try readyContext(serverName: serverName) { return loop.makeSucceededFuture(ready) }
        } catch {
            return loop.makeFailedFuture(error)
        }
        guard let io else { return loop.makeCompletedFuture { try self.context(serverName: serverName) } }
        return io.runIfActive(eventLoop: loop) { try self.context(serverName: serverName) }
    }

    /// The kept context when nothing needs looking at; nil when the files are due for a check.
    func readyContext(serverName: String?) throws -> NIOSSLContext? {
        guard let serverName, !serverName.isEmpty else { throw Refusal.noServerName }
        let name = DomainName.normalized(serverName)
        guard let domain = table.value.configuration.domains.first(where: { $0.domainName == name }) else { throw Refusal.unknownDomain(name) }
        guard let cached = entries.withLockedValue({ $0[name] }), cached.domain == domain, NIODeadline.now() - cached.checked < recheckAfter else {
            return nil
        }
        return cached.context
    }

    /// The context for a client hello's server name, its files looked at now if due (blocking: the I/O pool's).
    func context(serverName: String?) throws -> NIOSSLContext {
        guard let serverName, !serverName.isEmpty else { throw Refusal.noServerName }
        let name = DomainName.normalized(serverName)
        guard let domain = table.value.configuration.domains.first(where: { $0.domainName == name }) else { throw Refusal.unknownDomain(name) }
        let now = NIODeadline.now()
        let cached = entries.withLockedValue { $0[name] }
        if let cached, cached.domain == domain, now - cached.checked < recheckAfter { return cached.context }
        let stamps = domain.files.map(FileStamp.init(path:))
        if let cached, cached.domain == domain, cached.files == stamps {
            entries.withLockedValue { $0[name]?.checked = now }
            return cached.context
        }
        do {
            let (context, notAfter) = try Self.makeContext(domain)
            entries.withLockedValue { $0[name] = Entry(domain: domain, files: stamps, context: context, checked: now, notAfter: notAfter) }
            if cached != nil { logger.info("certificate reloaded", metadata: ["domain": "\(name)"]) }
            return context
        } catch {
            if let cached {
                // A half-written or broken replacement: keep serving the last good certificate, look again later.
                entries.withLockedValue { $0[name]?.checked = now }
                logger.error("the new certificate files of \(name) cannot be loaded; still serving the previous ones", metadata: ["error": "\(error)"])
                return cached.context
            }
            throw Refusal.unloadable(domain: name, reason: "\(error)")
        }
    }

    /// A server context for one domain: its certificate chain and key, its TLS minimum, ALPN http/1.1, and with a
    /// truststore, client certificates required and verified against it.
    static func makeContext(_ domain: DomainName) throws -> (NIOSSLContext, Date?) {
        var chain = try NIOSSLCertificate.fromPEMFile(domain.certificatePath)
        if let chainPath = domain.chainPath { chain += try NIOSSLCertificate.fromPEMFile(chainPath) }
        guard let leaf = chain.first else { throw TLSContexts.Refusal.unloadable(domain: domain.domainName, reason: "no certificate in \(domain.certificatePath)") }
        let key = try NIOSSLPrivateKey(file: domain.privateKeyPath, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = domain.minimumTLSVersion == .tls13 ? .tlsv13 : .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        if let truststore = domain.truststorePath {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(truststore))
            configuration.certificateVerification = .noHostnameVerification
            configuration.sendCANameList = true
        }
        let notAfter = (try? CertificateFiles.summary(of: Certificate(derEncoded: leaf.toDERBytes())))?.notAfter
        return (try NIOSSLContext(configuration: configuration), notAfter)
    }
}
