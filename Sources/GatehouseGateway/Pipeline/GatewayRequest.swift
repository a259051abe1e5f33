import Foundation
import NIOCore
import NIOHTTP1

/// A request as the pipeline sees it: the head, the whole body (bounded by the body limit), and the peer.
public struct GatewayRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: ByteBuffer
    public var remoteAddress: SocketAddress?
    public var receivedAt: NIODeadline
    public var receivedDate: Date

    public init(head: HTTPRequestHead, body: ByteBuffer, remoteAddress: SocketAddress?,
                receivedAt: NIODeadline = .now(), receivedDate: Date = Date()) {
        self.head = head
        self.body = body
        self.remoteAddress = remoteAddress
        self.receivedAt = receivedAt
        self.receivedDate = receivedDate
    }

    /// The path without the query string.
    public var path: String {
        String(head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// The raw query string (without `?`), if any.
    public var query: String? {
        let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count > 1 ? String(parts[1]) : nil
    }

    /// Query parameters, percent-decoded; a repeated name keeps its last value.
    public var queryParameters: [String: String] {
        var result: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(kv[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[0])
            let value = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[1])) : ""
            result[name] = value
        }
        return result
    }

    /// The client's IP address, as text.
    public var sourceIp: String? { remoteAddress?.ipAddress }
}
