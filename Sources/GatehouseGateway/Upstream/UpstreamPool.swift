import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The upstream connections of one event loop, per backend: idle ones are reused (keep-alive), at most
/// `limit` are open per backend, calls beyond wait in line, and a connection that breaks is evicted.
/// Confined to its loop.
final class UpstreamPool {
    private final class Backend {
        var idle: [UpstreamConnection] = []
        var open = 0
        var waiting = CircularBuffer<UpstreamExchange>()
    }

    let eventLoop: any EventLoop
    let limit: Int
    let tls: UpstreamTLS
    /// Requests are flushed once per pass of the loop (nil: at once).
    let flushes: FlushBatch?
    private var backends: [UpstreamEndpoint: Backend] = [:]
    private var closed = false
    static let connectTimeout = TimeAmount.seconds(10)

    init(eventLoop: any EventLoop, limit: Int, tls: UpstreamTLS, flushes: FlushBatch? = nil) {
        self.eventLoop = eventLoop
        self.flushes = flushes
        self.limit = limit
        self.tls = tls
    }

    /// Runs `exchange` on an idle connection, a new one, or the first one that frees up.
    func execute(_ exchange: UpstreamExchange, fresh: Bool = false) {
        let backend = backends[exchange.endpoint] ?? {
            let made = Backend()
            backends[exchange.endpoint] = made
            return made
        }()
        if !fresh {
            while let connection = backend.idle.popLast() {
                if connection.isActive {
                    connection.run(exchange, reused: true)
                    return
                }
                backend.open -= 1
            }
        }
        if backend.open < limit {
            backend.open += 1
            connect(exchange.endpoint, for: exchange)
        } else {
            backend.waiting.append(exchange)
            exchange.waitsInLine()
        }
    }

    /// A connection finished its exchange: reuse it for the next waiting call or keep it idle.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        guard let backend = backends[connection.endpoint] else { return }
        guard reusable, connection.isActive, !closed else {
            connection.close()
            backend.open -= 1
            startWaiting(backend, endpoint: connection.endpoint)
            return
        }
        while let next = backend.waiting.popFirst() {
            if next.isFinished { continue }
            connection.run(next, reused: true)
            return
        }
        backend.idle.append(connection)
    }

    /// A connection closed (by the backend, an error, or us): it is no longer counted or kept.
    func evict(_ connection: UpstreamConnection) {
        guard let backend = backends[connection.endpoint] else { return }
        if let index = backend.idle.firstIndex(where: { $0 === connection }) {
            backend.idle.remove(at: index)
            backend.open -= 1
        }
    }

    func closeAll() {
        closed = true
        for backend in backends.values {
            for connection in backend.idle { connection.close() }
            backend.idle.removeAll()
        }
    }

    private func startWaiting(_ backend: Backend, endpoint: UpstreamEndpoint) {
        while let next = backend.waiting.popFirst() {
            if next.isFinished { continue }
            backend.open += 1
            connect(endpoint, for: next)
            return
        }
    }

    private func connect(_ endpoint: UpstreamEndpoint, for exchange: UpstreamExchange) {
        let tls = endpoint.secure ? tls : nil
        let context: NIOSSLContext?
        do {
            context = try tls?.get(endpoint.tls)
        } catch {
            backends[endpoint]?.open -= 1
            exchange.failToConnect(UpstreamError.connectFailed("no TLS client context: \(error)"))
            return
        }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(min(Self.connectTimeout, exchange.timeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let context {
                        try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: endpoint.host.first?.isNumber == true ? nil : endpoint.host))
                    }
                    try sync.addHandler(UpstreamConnection(endpoint: endpoint))
                }
            }
        bootstrap.connect(host: endpoint.host, port: endpoint.port).assumeIsolated().whenComplete { result in
            guard let backend = self.backends[endpoint] else { return }
            switch result {
            case .success(let channel):
                guard let connection = try? channel.pipeline.syncOperations.handler(type: UpstreamConnection.self) else {
                    channel.close(promise: nil)
                    backend.open -= 1
                    exchange.failToConnect(UpstreamError.connectFailed("the connection has no HTTP handler"))
                    return
                }
                connection.pool = self
                if exchange.isFinished {
                    self.release(connection, reusable: true)
                } else {
                    connection.run(exchange, reused: false)
                }
            case .failure(let error):
                backend.open -= 1
                exchange.failToConnect(error)
                // Calls waiting for this backend try their own connection (and fail fast if it is down).
                self.startWaiting(backend, endpoint: endpoint)
            }
        }
    }
}

/// How an upstream call failed, for the access log.
enum UpstreamError: Error, CustomStringConvertible {
    case connectFailed(String)
    case closedBeforeResponse
    case closedMidBody
    case timedOut
    case cancelled

    var description: String {
        switch self {
        case .connectFailed(let reason): return "cannot connect: \(reason)"
        case .closedBeforeResponse: return "the backend closed the connection before answering"
        case .closedMidBody: return "the backend closed the connection in the middle of its response"
        case .timedOut: return "the backend did not answer within the integration timeout"
        case .cancelled: return "the client went away"
        }
    }
}
