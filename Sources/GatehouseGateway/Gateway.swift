import AsyncHTTPClient
import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The worker: the HTTP data plane, the config watcher, the telemetry writer and the heartbeat, run as one
/// service group that shuts down gracefully (drain, then flush) on SIGTERM/SIGINT or `shutdown()`.
public final class Gateway: Sendable {
    public let options: GatewayOptions
    let store: Store
    let group: MultiThreadedEventLoopGroup
    let io: NIOThreadPool
    /// For webhooks; the data plane uses `upstream`.
    let client: HTTPClient
    let upstream: UpstreamPools
    let table = RoutingTableBox(.empty)
    public let throttles = ThrottleRegistry()
    /// Each key's calls under its plan: quotas enforced in memory, counts synced with the store.
    public let meters = UsageMeters()
    /// Each stage's response cache, kept across configuration swaps.
    public let caches = StageCaches()
    public let telemetry: TelemetryQueue
    public let metrics = GatewayMetrics()
    let admin: AdminServer?
    /// The plain listener (when on) and the TLS listener (when asked for), sharing one connection registry.
    let servers: [GatewayServer]
    let tlsContexts: TLSContexts
    let serviceGroup: ServiceGroup
    let logger: Logger
    let watcher: ConfigWatcher
    /// Compiles what the management API's TestInvokeMethod / TestInvokeAuthorizer run: the live upstream pools and
    /// authorizer clients, but throttles, meters, caches and metrics of its own (a test call counts nowhere).
    let testCompiler: StageCompiler
    /// This worker's id in the store's `worker` table (its heartbeat row and the leases it holds).
    public let workerId = UUID().uuidString.lowercased()

    /// Builds the worker and loads the configuration; `handleSignals` installs SIGTERM/SIGINT handlers.
    public init(store: Store, options: GatewayOptions, logger: Logger, handleSignals: Bool = true) throws {
        self.options = options
        self.store = store
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, options.threads))
        io = NIOThreadPool(numberOfThreads: 2)
        io.start()
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.redirectConfiguration = .disallow
        clientConfiguration.decompression = .disabled
        clientConfiguration.timeout = .init(connect: .seconds(10))
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60))
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroup: group, configuration: clientConfiguration)
        telemetry = TelemetryQueue(capacity: options.telemetryQueueCapacity)
        let flushes = try FlushBatches(group: group)
        upstream = try UpstreamPools(group: group, maxConnectionsPerBackend: options.maxUpstreamConnections, caBundle: options.backendCABundle,
                                     flushes: flushes)
        tlsContexts = TLSContexts(table: table, metrics: metrics, logger: logger, io: io)
        let connections = ConnectionRegistry()
        var servers: [GatewayServer] = []
        if options.plainListener {
            servers.append(GatewayServer(options: options, listener: .init(host: options.host, port: options.port, flag: "--listen", tls: nil,
                                                                           isPrivate: options.privateListeners),
                                         group: group, table: table, telemetry: telemetry, metrics: metrics, connections: connections, flushes: flushes, logger: logger))
        }
        if let tlsHost = options.tlsHost {
            servers.append(GatewayServer(options: options, listener: .init(host: tlsHost, port: options.tlsPort, flag: "--tls-listen", tls: tlsContexts,
                                                                           isPrivate: options.privateListeners),
                                         group: group, table: table, telemetry: telemetry, metrics: metrics, connections: connections, flushes: flushes, logger: logger))
        }
        guard let first = servers.first else {
            throw GatewayError.cannotListen(address: "nothing", flag: "--listen", reason: "no listener: give --listen HOST:PORT or --tls-listen HOST:PORT")
        }
        self.servers = servers
        let usage = UsageSync(store: store, meters: meters, io: io, interval: options.usageSyncInterval, clock: options.clock, logger: logger)
        let jwks = JwksCache(client: client), customAuthorizers = CustomAuthorizers(client: client)
        testCompiler = StageCompiler(upstream: upstream, identity: options.signing, jwks: jwks, customAuthorizers: CustomAuthorizers(client: client),
                                     clock: options.clock)
        watcher = ConfigWatcher(store: store, table: table, compiler: StageCompiler(throttles: throttles, meters: meters, caches: caches, upstream: upstream, metrics: metrics,
                                                                                  identity: options.signing, jwks: jwks,
                                                                                  customAuthorizers: customAuthorizers,
                                                                                  clock: options.clock), usage: usage, io: io,
                                interval: options.configPollInterval, logger: logger)
        let writer = TelemetryWriter(store: store, queue: telemetry, io: io, options: options, logger: logger)
        let bound = first.bound.futureResult
        let listenText = NIOLockedValueBox("\(options.host):\(options.port)")
        bound.whenSuccess { address in listenText.withLockedValue { $0 = "\(address.ipAddress ?? options.host):\(address.port ?? options.port)" } }
        let telemetry = self.telemetry
        let heartbeat = Heartbeat(id: workerId, store: store, io: io, version: options.version, listen: { listenText.withLockedValue { $0 } },
                                  dropped: { telemetry.dropped }, errors: { telemetry.writeFailures },
                                  tlsFailures: { [metrics] in metrics.handshakeFailures.load(ordering: .relaxed) }, ready: { _ = try? await bound.get() }, logger: logger)
        let metrics = self.metrics, table = self.table, expiries = CertificateExpiries()
        if let adminHost = options.adminHost {
            admin = AdminServer(host: adminHost, port: options.adminPort, group: group, metrics: {
                metrics.update(configVersion: table.value.configuration.version, telemetryDropped: telemetry.dropped,
                               telemetryWriteFailures: telemetry.writeFailures, connections: connections.count, inFlight: connections.busyCount)
                metrics.updateCertificates(table.value.configuration.domains.compactMap { domain in
                    expiries.notAfter(domain.certificatePath).map { (domain.domainName, $0) }
                })
                return metrics.registry.emitToString()
            }, extensions: options.adminExtension, io: io, logger: logger)
        } else {
            admin = nil
        }
        let lease = AlarmLease(store: store, holder: workerId, logger: logger)
        let evaluator = AlarmEvaluator(store: store, io: io, interval: options.alarmInterval, lease: lease, logger: logger)
        let notifier = AlarmNotifier(store: store, io: io, client: client, lease: lease, logger: logger)
        // Started in this order, shut down in reverse: the server drains first, the writer flushes last.
        serviceGroup = ServiceGroup(configuration: .init(
            services: [.init(service: writer), .init(service: usage), .init(service: heartbeat), .init(service: notifier), .init(service: evaluator),
                       .init(service: watcher)] + (admin.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? [])
                + servers.map { .init(service: $0) },
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
            logger: logger))
        try watcher.load()
    }

    /// Binds the data-plane and admin listeners, before anything else of the worker starts; a port in use
    /// fails here with the flag to change, and the worker's threads are released. Returns both addresses.
    @discardableResult
    public func bind() async throws -> (address: SocketAddress, admin: SocketAddress?) {
        do {
            var addresses: [SocketAddress] = []
            for server in servers { addresses.append(try await server.bind()) }
            let adminAddress = try await admin?.bind()
            return (addresses[0], adminAddress ?? nil)
        } catch {
            for server in servers { await server.unbind() }
            await release()
            throw error
        }
    }

    /// Runs until shut down (binding first, if `bind()` was not called); then releases threads and connections.
    public func run() async throws {
        try await bind()
        do {
            try await serviceGroup.run()
        } catch {
            await release()
            throw error
        }
        await release()
    }

    private func release() async {
        upstream.closeAll()
        try? await client.shutdown()
        try? await io.shutdownGracefully()
        try? await group.shutdownGracefully()
    }

    /// The address the first listener (the plain one, when on) is bound to, once it is.
    public var localAddress: SocketAddress {
        get async throws { try await servers[0].bound.futureResult.get() }
    }

    /// The TLS listener's address, once bound (`nil` without `--tls-listen`).
    public var tlsAddress: SocketAddress? {
        get async throws {
            guard let server = servers.first(where: { $0.listenerSettings.tls != nil }) else { return nil }
            return try await server.bound.futureResult.get()
        }
    }

    /// The admin listener's address, once bound (`nil` without `--admin`).
    public var adminAddress: SocketAddress? {
        get async throws {
            guard let admin else { return nil }
            return try await admin.bound.futureResult.get()
        }
    }

    /// Starts a graceful shutdown: stop accepting, drain, flush telemetry.
    public func shutdown() async {
        await serviceGroup.triggerGracefulShutdown()
    }

    /// Other workers serving the same store now (a heartbeat in the last few seconds): each enforces the
    /// configuration on its own port; alarms are evaluated by one of them at a time.
    public func otherLiveWorkers(now: Date = Date()) throws -> [WorkerHeartbeat] {
        try store.workers().filter { worker in
            worker.id != workerId && worker.state == "serving" && now.timeIntervalSince(worker.lastBeat) <= AlarmLease.staleAfter
        }
    }

    /// The configuration version being served.
    public var configurationVersion: Int64 { table.value.configuration.version }
}
