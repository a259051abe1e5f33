import GatehouseAdmin
import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseGateway
import GatehouseStore
import Logging

/// `host:port` as a flag value.
struct ListenAddress: ExpressibleByArgument, Sendable {
    var host: String
    var port: Int
    /// `off`: no such listener.
    var off = false

    init?(argument: String) {
        if argument == "off" {
            host = ""
            port = 0
            off = true
            return
        }
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        host = String(argument[..<colon])
        self.port = port
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Shown as the default in `--help`.
    var defaultValueDescription: String { "\(host):\(port)" }
}

/// `gatehouse serve`: the gateway worker.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway worker: serve the store's stages over HTTP/1.1 and record every call.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "Address to listen on, HOST:PORT (port 0 picks one; off: none).") var listen = ListenAddress(host: "127.0.0.1", port: 8080)
    @Option(help: "Address of the TLS listener, HOST:PORT: custom domains' certificates picked by SNI (`gatehouse domain create`).")
    var tlsListen: ListenAddress?
    @Option(help: "Verify HTTPS backends against the CAs in this PEM file instead of the system's.") var backendCa: String?
    @Flag(help: "These listeners are private (bound to an internal address): PRIVATE APIs are served on them, and only on them.")
    var `private` = false
    @Option(help: "Largest request body in bytes (413 beyond).") var maxBodyBytes = 10 * 1024 * 1024
    @Option(help: "Largest request header block in bytes (431 beyond).") var maxHeaderBytes = 16 * 1024
    @Option(help: "Seconds a keep-alive connection may sit idle.") var idleTimeout: Double = 60
    @Option(help: "Seconds a client has to finish sending request headers.") var headerTimeout: Double = 10
    @Option(help: "Slowest accepted request body, bytes a second, after a grace of --header-timeout (slower uploads are cut).")
    var minBodyRate = 500
    @Option(help: "Most client connections open at once; beyond, a new connection is answered 503 and closed.")
    var maxConnections = 10_000
    @Option(help: "Upstream connections kept per backend on each event loop; calls beyond wait for one.")
    var maxUpstreamConnections = 256
    @Option(help: "Seconds in-flight requests get to finish on SIGTERM/SIGINT.") var drainTimeout: Double = 10
    @Option(help: "Days of access log to keep.") var logRetentionDays: Double = 7
    @Option(help: "Most access-log rows to keep.") var logRetentionRows = 5_000_000
    @Option(help: "Days of per-second metrics to keep.") var metricRetentionDays: Double = 14
    @Option(help: "Event-loop threads (default: one per core).") var threads: Int?
    @Option(help: "Seconds between alarm evaluations.") var alarmInterval: Double = 5
    @Option(help: "Seconds between writes of each API key's calls to the store (and reads of the quota totals, other workers' included).")
    var usageSyncInterval: Double = 1
    @Option(help: "Admin listener, HOST:PORT (keep it on loopback or a private address): GET /metrics (Prometheus), /healthz, and Amazon API Gateway's management API (SigV4, service apigateway) for aws, boto3 and Terraform.")
    var admin: ListenAddress?
    @Flag(help: "Serve the management API without checking signatures (local experiments only; anyone who reaches --admin may change everything).")
    var adminInsecureNoAuth = false
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel: String = "info"
    @Option(help: "The region SigV4 signatures must be scoped to, and the one in execute-api resource ARNs.") var region = "us-east-1"
    @Option(help: "The account id in execute-api resource ARNs and in the user ARNs of refusals (12 digits).") var accountId = "000000000000"
    @Option(help: "A proxy in front of the worker (address or CIDR, repeatable) whose X-Forwarded-For gives the caller's address.")
    var trustedProxy: [String] = []

    func run() async throws {
        try await reportingErrors {
            let logger = makeLogger(label: "gatehouse.serve", level: logLevel)
            let store = try storeOptions.open(.readWrite)
            var options = GatewayOptions()
            options.host = listen.host
            options.port = listen.port
            options.plainListener = !listen.off
            if let tlsListen, !tlsListen.off {
                options.tlsHost = tlsListen.host
                options.tlsPort = tlsListen.port
            }
            options.privateListeners = `private`
            if let backendCa {
                guard FileManager.default.isReadableFile(atPath: backendCa) else { throw ValidationError("--backend-ca \(backendCa) is not a readable file") }
                options.backendCABundle = backendCa
            }
            if `private` {
                for host in [listen.off ? nil : listen.host, options.tlsHost].compactMap({ $0 }) where !Self.isInternal(host) {
                    throw ValidationError("--private listeners must be bound to an internal address (loopback or a private range such as 10.0.0.0/8), not \(host)")
                }
            }
            options.maxBodyBytes = maxBodyBytes
            options.maxHeaderBytes = maxHeaderBytes
            options.idleTimeout = idleTimeout
            options.headerReadTimeout = headerTimeout
            options.minBodyBytesPerSecond = minBodyRate
            options.maxConnections = maxConnections
            options.maxUpstreamConnections = maxUpstreamConnections
            options.drainTimeout = drainTimeout
            options.retention = RetentionPolicy(accessLogMaxAge: logRetentionDays * 86_400, accessLogMaxRows: logRetentionRows,
                                                metricsMaxAge: metricRetentionDays * 86_400)
            if let threads { options.threads = threads }
            options.signing = SigningIdentity(region: region, account: accountId)
            options.trustedProxies = try trustedProxy.map { text in
                guard let network = CIDR(text) else { throw ValidationError("--trusted-proxy \(text): not an IPv4 or IPv6 address or CIDR") }
                return network
            }
            options.alarmInterval = alarmInterval
            options.usageSyncInterval = max(0.05, usageSyncInterval)
            let management = admin.map { _ in ManagementAPI(store: store, region: region, account: accountId, insecureNoAuth: adminInsecureNoAuth) }
            if let admin, let management {
                options.adminHost = admin.host
                options.adminPort = admin.port
                options.adminExtension = ManagementListener(api: management)
            } else if adminInsecureNoAuth {
                throw ValidationError("--admin-insecure-no-auth needs --admin HOST:PORT (the management API is served on the admin listener)")
            }
            let files = FileLimit.raise(maxConnections: maxConnections, upstreamPerLoop: maxUpstreamConnections, loops: options.threads)
            let gateway = try Gateway(store: store, options: options, logger: logger)
            management?.setInvoker(GatewayInvoker(gateway: gateway))
            // Bound (or failed, reported once) before anything runs and before "serving" is printed.
            let (address, adminAddress) = try await gateway.bind()
            async let running: Void = gateway.run()
            if let adminAddress {
                print("admin on http://\(adminAddress.ipAddress ?? "?"):\(adminAddress.port ?? 0)/metrics")
                if adminInsecureNoAuth {
                    let warning = "WARNING: the management API on \(adminAddress.ipAddress ?? "?"):\(adminAddress.port ?? 0) checks NO signatures "
                        + "(--admin-insecure-no-auth): anyone who can reach it can change every API, key and stage"
                    print(warning)
                    logger.warning("\(warning)")
                }
            }
            let tlsAddress = try await gateway.tlsAddress
            let tlsText = tlsAddress.map { "https://\($0.ipAddress ?? "?"):\($0.port ?? 0)" }
            let plainText = listen.off ? nil : "http://\(address.ipAddress ?? listen.host):\(address.port ?? listen.port)"
            print("gatehouse \(options.version) serving \(storeOptions.path)\(`private` ? " privately" : "") on "
                  + [plainText, tlsText].compactMap { $0 }.joined(separator: " and "))
            for other in (try? gateway.otherLiveWorkers()) ?? [] {
                print("note: another worker is serving this store: pid \(other.pid) on \(other.listen), up since \(other.started);"
                      + " both enforce its configuration, and one at a time evaluates alarms")
            }
            if files.limit < files.needed {
                print("note: --max-connections \(maxConnections) needs about \(files.needed) open files, but this process may open"
                      + " \(files.limit) (ulimit -n; the hard limit caps it); past that, new connections wait unaccepted."
                      + " Raise the limit (ulimit -Hn, LimitNOFILE=) or lower --max-connections.")
            }
            fflush(nil)
            try await running
        }
    }
}

extension Serve {
    /// Loopback, the private IPv4 ranges and IPv6 unique-local and link-local addresses.
    static func isInternal(_ host: String) -> Bool {
        let ranges = ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "::1/128", "fc00::/7", "fe80::/10"]
        if host == "localhost" { return true }
        return ranges.contains { CIDR($0)?.contains(host) == true }
    }
}

func makeLogger(label: String, level: String) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = Logger.Level(rawValue: level.lowercased()) ?? .info
    return logger
}
