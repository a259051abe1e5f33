import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// The TLS client context for https backends, made on first use: loading the system's trust roots costs
/// real CPU, which a worker without an https backend (and every in-process test worker) need not pay.
final class UpstreamTLS: Sendable {
    private let context = NIOLockedValueBox<Result<NIOSSLContext, any Error>?>(nil)

    func get() throws -> NIOSSLContext {
        try context.withLockedValue { value in
            if let value { return try value.get() }
            let made = Result { try NIOSSLContext(configuration: .makeClientConfiguration()) }
            value = made
            return try made.get()
        }
    }
}

/// One upstream connection pool per event loop, so a proxied call never leaves its client connection's
/// thread: the pool, its connections and the call all live on that loop.
public final class UpstreamPools: Sendable {
    private let pools: [ObjectIdentifier: NIOLoopBound<UpstreamPool>]
    /// Connections kept per backend on each loop (idle and busy together).
    public let maxConnectionsPerBackend: Int

    public init(group: any EventLoopGroup, maxConnectionsPerBackend: Int = 256) throws {
        self.maxConnectionsPerBackend = maxConnectionsPerBackend
        let tls = UpstreamTLS()
        var pools: [ObjectIdentifier: NIOLoopBound<UpstreamPool>] = [:]
        for loop in group.makeIterator() {
            let pool = try loop.submit { NIOLoopBound(UpstreamPool(eventLoop: loop, limit: maxConnectionsPerBackend, tls: tls), eventLoop: loop) }.wait()
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
