import Foundation
import GatehouseCore
import GatehouseStore
import NIOCore

/// The worker's tunables, with production defaults; `gatehouse serve` flags set them.
public struct GatewayOptions: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Whether the plain HTTP listener runs (`--listen off` leaves only the TLS one).
    public var plainListener = true
    /// `HOST:PORT` of the TLS listener (custom domains' certificates by SNI); none when nil.
    public var tlsHost: String?
    public var tlsPort: Int = 8443
    /// The listeners are private (`--private`): PRIVATE APIs are served on them. They must be bound to an
    /// internal address (loopback or a private range), which `serve` checks.
    public var privateListeners = false
    /// Largest request body accepted (413 beyond), 10 MiB as AWS.
    public var maxBodyBytes: Int = 10 * 1024 * 1024
    /// Largest total request header size (431 beyond).
    public var maxHeaderBytes: Int = 16 * 1024
    /// Longest request target (path and query) accepted (414 beyond).
    public var maxURIBytes: Int = 8 * 1024
    /// A keep-alive connection with no request for this long is closed.
    public var idleTimeout: TimeAmountSeconds = 60
    /// A request whose headers have started but not finished arriving after this long is dropped.
    public var headerReadTimeout: TimeAmountSeconds = 10
    /// A request body slower than this (bytes a second, after a grace of `headerReadTimeout`) is cut.
    public var minBodyBytesPerSecond: Int = 500
    /// Client connections open at once; a connection beyond is answered 503 and closed.
    public var maxConnections: Int = 10_000
    /// On SIGTERM/SIGINT, how long in-flight requests get to finish.
    public var drainTimeout: TimeAmountSeconds = 10
    /// How often the store is checked for configuration changes.
    public var configPollInterval: TimeAmountSeconds = 0.25
    /// How often queued telemetry is written.
    public var telemetryFlushInterval: TimeAmountSeconds = 0.2
    /// How often each key's calls are added to the store and quota totals read back (other workers' included).
    public var usageSyncInterval: TimeAmountSeconds = 1
    /// Telemetry records held in memory at most; beyond, they are counted as dropped.
    public var telemetryQueueCapacity: Int = 100_000
    public var retention = RetentionPolicy()
    public var retentionInterval: TimeAmountSeconds = 60
    /// How often alarms are evaluated (at least once per period; the shortest period is 10 s).
    public var alarmInterval: TimeAmountSeconds = 5
    /// `HOST:PORT` of the admin listener (`/metrics`, `/healthz`); none when `nil`.
    public var adminHost: String?
    /// What else the admin listener serves beside `/metrics` and `/healthz` (the management API).
    public var adminExtension: (any AdminExtension)?
    public var adminPort: Int = 9090
    public var version = GatewayOptions.gatehouseVersion
    /// Upstream connections kept per backend on each event loop; calls beyond wait for one to free up.
    public var maxUpstreamConnections: Int = 256
    /// A PEM bundle of the CAs HTTPS backends are verified against instead of the system's (`--backend-ca`).
    public var backendCABundle: String?
    /// Event-loop threads; by default one per core.
    public var threads: Int = System.coreCount
    /// The region and account in the `execute-api` resource ARNs that signed calls are checked against
    /// (`arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH`); signatures must be scoped to this region.
    public var signing = SigningIdentity()
    /// Proxies in front of the worker whose `X-Forwarded-For` is believed: a call from one of them has as its
    /// source address the last address in that header that is not itself a trusted proxy.
    public var trustedProxies: [CIDR] = []
    /// The wall clock quotas and usage days are counted by (tests move it across a period boundary).
    public var clock: @Sendable () -> Date = { Date() }

    public init() {}

    public static let gatehouseVersion = "0.1.0"
}

/// Seconds as a Double, for options read from flags.
public typealias TimeAmountSeconds = Double

extension TimeAmount {
    static func seconds(double: Double) -> TimeAmount { .nanoseconds(Int64(double * 1_000_000_000)) }
}
