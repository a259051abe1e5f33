import GatehouseCore
import GatehouseStore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Polls the store's configuration version (one tiny read) and, when any process has changed it, loads the
/// new configuration, compiles it and swaps in the fresh snapshot. In-flight requests keep the old one.
final class ConfigWatcher: Service, Sendable {
    let store: any ConfigurationSource
    let table: RoutingTableBox
    let io: NIOThreadPool
    let interval: TimeAmountSeconds
    let logger: Logger
    let compiler: StageCompiler
    /// Settles new keys' quota meters on the store's totals before their first call is served.
    let usage: UsageSync?

    init(store: any ConfigurationSource, table: RoutingTableBox, compiler: StageCompiler, usage: UsageSync? = nil, io: NIOThreadPool,
         interval: TimeAmountSeconds, logger: Logger) {
        self.compiler = compiler
        self.usage = usage
        self.store = store
        self.table = table
        self.io = io
        self.interval = interval
        self.logger = logger
    }

    /// Loads the configuration now (at start, so a restarted worker serves at once).
    func load() throws {
        let configuration = try store.gatewayConfiguration()
        let compiled = RoutingTable(configuration: configuration, compiler: compiler)
        try usage?.settleBlocking()
        table.replace(with: compiled)
        logger.info("configuration loaded", metadata: ["version": "\(configuration.version)", "stages": "\(configuration.stages.count)"])
        warnAboutUnverifiedBackends(configuration)
    }

    func run() async throws {
        let store = self.store
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(self.interval * 1000)))
                do {
                    let current = self.table.value.configuration.version
                    let configuration = try await self.io.runIfActive { () -> GatewayConfiguration? in
                        let version = try store.configVersion()
                        return version == current ? nil : try store.gatewayConfiguration()
                    }
                    if let configuration {
                        // Compiled off the data path; the swap is one assignment under the lock.
                        let compiled = RoutingTable(configuration: configuration, compiler: self.compiler)
                        await self.usage?.sync()
                        self.table.replace(with: compiled)
                        self.compiler.prune(after: configuration)
                        self.logger.info("configuration changed", metadata: ["version": "\(configuration.version)"])
                        self.warnAboutUnverifiedBackends(configuration)
                    }
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.warning("cannot read configuration; serving the last one", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Each method whose integration turns off the backend's certificate check is named in the log whenever a
    /// configuration with it is loaded: it is honoured, never silently.
    func warnAboutUnverifiedBackends(_ configuration: GatewayConfiguration) {
        for binding in configuration.stages {
            for resource in binding.definition.resources {
                for (verb, method) in resource.resourceMethods where method.methodIntegration?.insecureSkipVerification == true {
                    logger.warning("HTTPS backend certificate NOT verified (tlsConfig.insecureSkipVerification)", metadata: [
                        "api": "\(binding.stage.restApiId)", "stage": "\(binding.stage.stageName)", "method": "\(verb) \(resource.path)",
                    ])
                }
            }
        }
    }
}
