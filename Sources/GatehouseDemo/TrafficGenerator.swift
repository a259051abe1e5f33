import AsyncHTTPClient
import Foundation
import NIOCore

/// The demo's synthetic client: a bounded request rate over a fixed mix of routes — successes, 4xx
/// (unknown routes, a missing pet), 5xx (a failing backend, a timeout), slow calls, and a throttled route.
public struct TrafficGenerator: Sendable {
    public let baseURL: String
    public let requestsPerSecond: Int

    public init(baseURL: String, requestsPerSecond: Int = 40) {
        self.baseURL = baseURL
        self.requestsPerSecond = requestsPerSecond
    }

    /// One round of the mix; repeated by `run`.
    static let mix: [(method: String, path: String)] = [
        ("GET", "/pets"), ("GET", "/pets/7"), ("GET", "/pets"), ("GET", "/health"), ("GET", "/limited"),
        ("GET", "/limited"), ("GET", "/pets/404"), ("POST", "/pets"), ("GET", "/pets/12"), ("GET", "/status/201"),
        ("GET", "/limited"), ("GET", "/slow?ms=200"), ("GET", "/health"), ("GET", "/flaky"), ("GET", "/limited"),
        ("DELETE", "/health"), ("GET", "/pets"), ("GET", "/slow?ms=1500"), ("GET", "/limited"), ("GET", "/echo/anything"),
    ]

    /// Sends requests at the configured rate until cancelled (or `limit` requests are sent).
    public func run(client: HTTPClient, limit: Int? = nil) async {
        let interval = Duration.milliseconds(max(1, 1000 / max(1, requestsPerSecond)))
        var sent = 0
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                if let limit, sent >= limit { break }
                let entry = Self.mix[sent % Self.mix.count]
                sent += 1
                group.addTask {
                    var request = HTTPClientRequest(url: baseURL + entry.path)
                    request.method = .init(rawValue: entry.method)
                    if entry.method == "POST" {
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(ByteBuffer(string: #"{"type":"parrot","price":42}"#))
                    }
                    if let response = try? await client.execute(request, timeout: .seconds(5)) {
                        _ = try? await response.body.collect(upTo: 1 << 20)
                    }
                }
                try? await Task.sleep(for: interval)
            }
            group.cancelAll()
        }
    }
}
