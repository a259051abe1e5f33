import ArgumentParser
import AsyncHTTPClient
import Foundation
import GatehouseConsole
import GatehouseCore
import GatehouseDemo
import GatehouseGateway
import GatehouseStore
import Logging

/// `gatehouse demo`: everything from nothing — a store, the sample API and backend, a worker and traffic.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the embedded demo: sample API, backend, worker and synthetic traffic, with a summary every second.")

    @Option(help: "The store file (default: a fresh temporary one).") var store: String?
    @Option(help: "Address for the worker, HOST:PORT (port 0 picks one).") var listen = ListenAddress(host: "127.0.0.1", port: 0)
    @Option(help: "Synthetic requests per second.") var rps = 40
    @Option(help: "Stop after this many seconds (default: run until Ctrl-C, or q in the console).") var duration: Double?
    @Flag(help: "Print a summary line every second instead of opening the console (the default without a terminal).") var headless = false

    func run() async throws {
        try await reportingErrors {
            let logger = makeLogger(label: "gatehouse.demo", level: "warning")
            let path = store ?? FileManager.default.temporaryDirectory
                .appendingPathComponent("gatehouse-demo-\(ProcessInfo.processInfo.processIdentifier).db").path
            let storeHandle = try Store(path: path, create: true)
            let backend = try await SampleBackend()
            let actor = Actor(name: Actor.userName, source: "demo")

            let result = try OpenAPIImporter.parse(SampleAPI.openAPI, apiId: Identifiers.make())
            let apiId = result.definition.restApi.id
            try storeHandle.putApi(result.definition, mode: .overwrite, actor: actor)
            // POST /pets takes an API key: a generous plan's key, a trial plan's key (throttled and soon over its
            // quota), and callers with none or a wrong one (403).
            try storeHandle.setMethodApiKeyRequired(apiId: apiId, resourcePath: "/pets", verb: "POST", required: true, actor: actor)
            try storeHandle.deploy(apiId: apiId, stageName: "prod", description: "demo", variables: ["backend": "127.0.0.1:\(backend.port)"], actor: actor)
            try storeHandle.setStageThrottle(apiId: apiId, stageName: "prod", methodKey: "/limited/GET",
                                             limit: ThrottleLimit(rate: 5, burst: 5), actor: actor)
            let stage = [UsagePlanStage(apiId: apiId, stage: "prod")]
            let gold = try storeHandle.createUsagePlan(name: "gold", throttle: ThrottleLimit(rate: 50, burst: 100),
                                                       quota: QuotaSettings(limit: 100_000, period: .day), stages: stage, actor: actor)
            let trial = try storeHandle.createUsagePlan(name: "trial", throttle: ThrottleLimit(rate: 1, burst: 2),
                                                        quota: QuotaSettings(limit: 100, period: .day), stages: stage, actor: actor)
            for (name, value, plan) in [("mobile-app", TrafficGenerator.keys[0], gold), ("trial-user", TrafficGenerator.keys[1], trial)] {
                let key = try storeHandle.createApiKey(name: name, value: value, actor: actor)
                try storeHandle.addKeyToPlan(planId: plan.id, keyId: key.id, actor: actor)
            }
            // The stage cache answers GET /pets/{petId} for 10 s; nothing else is cached.
            try storeHandle.setStageCache(apiId: apiId, stageName: "prod", sizeMb: 16, ttl: 0, actor: actor)
            try storeHandle.setMethodCache(apiId: apiId, stageName: "prod", methodKey: "/pets/{petId}/GET", enabled: true, ttl: 10, actor: actor)

            var options = GatewayOptions()
            options.host = listen.host
            options.port = listen.port
            let gateway = try Gateway(store: storeHandle, options: options, logger: logger)
            let (address, _) = try await gateway.bind()
            let worker = Task { try await gateway.run() }
            let base = "http://\(address.ipAddress ?? "127.0.0.1"):\(address.port ?? 0)/restapis/\(apiId)/prod/_user_request_"
            print("store:   \(path)")
            print("api:     \(apiId) (PetStore Demo), stage prod, backend 127.0.0.1:\(backend.port)")
            print("invoke:  \(base)/pets")
            print("Ctrl-C stops the demo.")
            fflush(nil)

            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            let traffic = Task { await TrafficGenerator(baseURL: base, requestsPerSecond: rps).run(client: client) }
            let interactive = !headless && isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
            let reporter = Task {
                let started = Date()
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    let now = Int64(Date().timeIntervalSince1970)
                    if !interactive, let m = try? storeHandle.metrics(from: now - 2, to: now - 1, apiId: apiId) {
                        let p50 = m.latency.quantile(0.5).map { String(format: "%.1f", $0) } ?? "-"
                        let p99 = m.latency.quantile(0.99).map { String(format: "%.1f", $0) } ?? "-"
                        print("\(Self.clock()) req/s \(m.count)  4xx \(m.count4xx)  5xx \(m.count5xx)  429 \(m.throttled)  p50 \(p50) ms  p99 \(p99) ms")
                        fflush(nil)
                    }
                    if let duration, Date().timeIntervalSince(started) >= duration {
                        await gateway.shutdown()
                        return
                    }
                }
            }
            defer { reporter.cancel() }
            if interactive {
                let (theme, notice) = try ConsoleOptions.theme(nil)
                var state = ConsoleState(operatorName: ConsoleOptions.user, themeName: theme.name)
                if let notice {
                    state.message = notice
                    state.messageIsError = true
                }
                let deadline = duration.map { Date().addingTimeInterval($0) }
                try await ConsoleOptions.runConsole(path: path, refresh: 1, state: state, theme: theme,
                                                    stop: { deadline.map { Date() >= $0 } ?? false })
                await gateway.shutdown()
            }
            try await worker.value
            traffic.cancel()
            reporter.cancel()
            _ = await traffic.value
            try? await client.shutdown()
            await backend.stop()
            let total = try storeHandle.metrics(from: 0, to: Int64.max, apiId: apiId)
            print("stopped: \(total.count) requests recorded (\(total.count4xx) 4xx, \(total.count5xx) 5xx, \(total.throttled) throttled) in \(path)")
        }
    }

    static func clock() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}

/// `gatehouse sample-backend`: the demo's backend on its own, as a real process for tests and tours.
struct SampleBackendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sample-backend",
                                                    abstract: "Run the demo's sample HTTP backend (pets, echo, slow, fail, status, stream).")

    @Option(help: "Address, HOST:PORT (port 0 picks one).") var listen = ListenAddress(host: "127.0.0.1", port: 0)

    func run() async throws {
        try await reportingErrors {
            let backend = try await SampleBackend(host: listen.host, port: listen.port)
            print("sample backend listening on 127.0.0.1:\(backend.port)")
            fflush(nil)
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
