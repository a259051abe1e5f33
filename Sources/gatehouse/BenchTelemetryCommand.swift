import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse bench-telemetry`: the telemetry writer on its own, as the worker runs it (batches of access-log
/// rows with their second and minute rollups, one transaction each) into a fresh store; prints rows a second
/// and CPU per row. `scripts/bench-telemetry` runs it; the target is 100,000 rows a second.
struct BenchTelemetry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-telemetry",
        abstract: "Benchmark the telemetry writer: write synthetic access-log rows and rollups into a new store.")

    @Option(help: "Rows to write.") var rows = 200_000
    @Option(help: "Rows per batch (the worker writes what arrived in one flush interval).") var batch = 2_000
    @Option(help: "A store file to create (default: a temporary one, removed afterwards).") var store: String?

    func validate() throws {
        guard rows > 0, batch > 0 else { throw ValidationError("--rows and --batch must be above zero") }
    }

    func run() async throws {
        try await reportingErrors {
            let path = store ?? FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-bench-\(getpid()).db").path
            defer { if store == nil { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } } }
            let target = try Store(path: path, create: true)
            // 8 methods, 1,000 calls a second each: the rollups see the cardinality a busy worker produces.
            let methods = (0..<8).map { ("/resource\($0)", $0 % 2 == 0 ? "GET" : "POST") }
            var ids = RequestIdGenerator(seed: 1)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            var records: [AccessLogRecord] = []
            records.reserveCapacity(rows)
            for i in 0..<rows {
                let (resource, verb) = methods[i % methods.count]
                records.append(AccessLogRecord(
                    requestId: ids.make(), time: start.addingTimeInterval(Double(i) / 8_000), apiId: "benchapi01", stage: "prod",
                    resourcePath: resource, httpMethod: verb, path: resource + "?n=\(i)", status: i % 50 == 0 ? 502 : 200,
                    latencyMs: Double(i % 97) / 10, integrationLatencyMs: Double(i % 89) / 10, requestBytes: 0, responseBytes: 96,
                    sourceIp: "127.0.0.1", userAgent: "wrk"))
            }
            let cpuBefore = Self.cpuSeconds()
            let clock = ContinuousClock()
            let elapsed = try clock.measure {
                var offset = 0
                while offset < records.count {
                    let end = min(records.count, offset + batch)
                    try target.writeTelemetry(Array(records[offset..<end]))
                    offset = end
                }
            }
            let cpu = Self.cpuSeconds() - cpuBefore
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(String(format: "telemetry writer: %d rows in batches of %d: %.2f s, %.0f rows/s, %.1f us CPU per row (target: 100000 rows/s: %@)",
                         rows, batch, seconds, Double(rows) / seconds, cpu * 1e6 / Double(rows),
                         Double(rows) / seconds >= 100_000 ? "met" : "NOT met"))
        }
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
