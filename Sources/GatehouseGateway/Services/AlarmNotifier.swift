import AsyncHTTPClient
import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Carries out queued alarm notifications — webhook POSTs and shell commands — with retries and backoff,
/// recording each attempt. Runs apart from evaluation, so a failing action never stalls it.
final class AlarmNotifier: Service, Sendable {
    let store: any AlarmStore
    let io: NIOThreadPool
    let client: HTTPClient
    let logger: Logger
    let maxAttempts: Int
    let lease: AlarmLease

    init(store: any AlarmStore, io: NIOThreadPool, client: HTTPClient, lease: AlarmLease, logger: Logger, maxAttempts: Int = 5) {
        self.store = store
        self.io = io
        self.client = client
        self.lease = lease
        self.logger = logger
        self.maxAttempts = maxAttempts
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let store = self.store, lease = self.lease
                // Only the worker that evaluates alarms sends their notifications (each exactly once).
                let due = (try? await self.io.runIfActive { try lease.isHeld() ? store.dueAlarmDeliveries(now: Date(), limit: 50) : [] }) ?? []
                await withTaskGroup(of: Void.self) { group in
                    for delivery in due {
                        group.addTask { await self.deliver(delivery) }
                    }
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    func deliver(_ delivery: AlarmDelivery) async {
        let error: String?
        switch delivery.action {
        case .webhook(let url): error = await post(url: url, payload: delivery.payload)
        case .command(let command): error = await runCommand(command, payload: delivery.payload)
        }
        let attempts = delivery.attempts + 1
        // 1 s, 2 s, 4 s, 8 s between attempts, then give up.
        let retryAt = error != nil && attempts < maxAttempts ? Date().addingTimeInterval(pow(2, Double(attempts - 1))) : nil
        if let error {
            logger.warning("alarm notification failed", metadata: ["alarm": "\(delivery.alarm)", "action": "\(delivery.action)",
                                                                   "attempt": "\(attempts)", "error": "\(error)"])
        }
        let store = self.store
        _ = try? await io.runIfActive { try store.recordAlarmDelivery(id: delivery.id, error: error, retryAt: retryAt, now: Date()) }
    }

    func post(url: String, payload: String) async -> String? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "gatehouse-alarms/\(GatewayOptions.gatehouseVersion)")
        request.body = .bytes(ByteBuffer(string: payload))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1 << 16)
            return (200..<300).contains(Int(response.status.code)) ? nil : "HTTP \(response.status.code)"
        } catch {
            return "\(error)"
        }
    }

    /// Runs `/bin/sh -c command` with the payload on stdin and GATEHOUSE_ALARM_* variables; 30 s at most.
    func runCommand(_ command: String, payload: String) async -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        if let data = payload.data(using: .utf8),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            environment["GATEHOUSE_ALARM_NAME"] = object["alarmName"] as? String
            environment["GATEHOUSE_ALARM_OLD_STATE"] = object["oldState"] as? String
            environment["GATEHOUSE_ALARM_NEW_STATE"] = object["newState"] as? String
            environment["GATEHOUSE_ALARM_REASON"] = object["reason"] as? String
            environment["GATEHOUSE_ALARM_KIND"] = object["kind"] as? String
        }
        process.environment = environment
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return "cannot start /bin/sh: \(error)"
        }
        input.fileHandleForWriting.write(Data(payload.utf8))
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                return "timed out after 30 s"
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus == 0 ? nil : "exit status \(process.terminationStatus)"
    }
}
