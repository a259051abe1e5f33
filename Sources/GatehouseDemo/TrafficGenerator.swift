import AsyncHTTPClient
import Foundation
import NIOCore

/// The demo's synthetic client: a bounded request rate over a fixed mix of routes — successes, 4xx
/// (unknown routes, a missing pet), 5xx (a failing backend, a timeout), slow calls, a throttled route, a
/// cached route, and keyed calls (a plan's key, a trial key over its limits, no key, a wrong key).
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
        ("POST", "/pets"), ("GET", "/pets/7"), ("POST", "/pets"), ("GET", "/pets/12"),
    ]

    /// The demo's API keys (created with these values by `gatehouse demo`): a gold plan's and a trial plan's.
    public static let keys = ["demo-mobile-app-key-0123456789", "demo-trial-user-key-0123456789"]

    /// What each keyed call presents, in turn: mostly the gold key, the trial key, none, a wrong one.
    static let presented: [String?] = [keys[0], keys[1], keys[0], nil, keys[1], "demo-wrong-key-0123456789", keys[0]]

    /// Sends requests at the configured rate until cancelled (or `limit` requests are sent).
    public func run(client: HTTPClient, limit: Int? = nil) async {
        let interval = Duration.milliseconds(max(1, 1000 / max(1, requestsPerSecond)))
        var sent = 0
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                if let limit, sent >= limit { break }
                let entry = Self.mix[sent % Self.mix.count]
                let key = Self.presented[(sent / Self.mix.count + sent) % Self.presented.count]
                sent += 1
                group.addTask {
                    var request = HTTPClientRequest(url: baseURL + entry.path)
                    request.method = .init(rawValue: entry.method)
                    if entry.method == "POST" {
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(ByteBuffer(string: #"{"type":"parrot","price":42}"#))
                        if let key { request.headers.add(name: "x-api-key", value: key) }
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
