import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// The TLS client contexts for https backends, one per way of speaking to them (standard, a stage's client
/// certificate, verification off), each made on first use: loading the trust roots costs real CPU, which a
/// worker without an https backend (and every in-process test worker) need not pay. Backends are verified
/// against the system's CAs, or the bundle given with `serve --backend-ca`.
final class UpstreamTLS: Sendable {
    private let contexts = NIOLockedValueBox<[UpstreamTLSProfile?: Result<NIOSSLContext, any Error>]>([:])
    let caBundle: String?

    init(caBundle: String? = nil) {
        self.caBundle = caBundle
    }

    func get(_ profile: UpstreamTLSProfile? = nil) throws -> NIOSSLContext {
        try contexts.withLockedValue { contexts in
            if let made = contexts[profile] { return try made.get() }
            let made = Result { try NIOSSLContext(configuration: configuration(profile)) }
            contexts[profile] = made
            return try made.get()
        }
    }

    func configuration(_ profile: UpstreamTLSProfile?) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caBundle { configuration.trustRoots = .file(caBundle) }
        if profile?.insecureSkipVerification == true { configuration.certificateVerification = .none }
        if let certificate = profile?.clientCertificate {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificate.certificatePem.utf8)).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(certificate.privateKeyPem.utf8), format: .pem))
        }
        return configuration
    }
}

/// One upstream connection pool per event loop, so a proxied call never leaves its client connection's
/// thread: the pool, its connections and the call all live on that loop.
public final class UpstreamPools: Sendable {
    private let pools: [ObjectIdentifier: NIOLoopBound<UpstreamPool>]
    /// Connections kept per backend on each loop (idle and busy together).
    public let maxConnectionsPerBackend: Int

    public init(group: any EventLoopGroup, maxConnectionsPerBackend: Int = 256, caBundle: String? = nil, flushes: FlushBatches = FlushBatches()) throws {
        self.maxConnectionsPerBackend = maxConnectionsPerBackend
        let tls = UpstreamTLS(caBundle: caBundle)
        var pools: [ObjectIdentifier: NIOLoopBound<UpstreamPool>] = [:]
        for loop in group.makeIterator() {
            let pool = try loop.submit { NIOLoopBound(UpstreamPool(eventLoop: loop, limit: maxConnectionsPerBackend, tls: tls, flushes: flushes.batch(for: loop)), eventLoop: loop) }.wait()
            pools[ObjectIdentifier(loop)] = pool
        }
        self.pools = pools
    }

    /// The pool of `loop`; call on that loop.
    func pool(for loop: any EventLoop) -> UpstreamPool? {
        pools[ObjectIdentifier(loop)]?.value
    }

    /// Closes every pooled connection (at shutdown).
    public func closeAll() {
        for bound in pools.values {
            bound.eventLoop.execute { bound.value.closeAll() }
        }
    }
}
