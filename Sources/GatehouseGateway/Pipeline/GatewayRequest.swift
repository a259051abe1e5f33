import Foundation
import NIOCore
import NIOHTTP1

/// A request body as it arrives: a stream of chunks that the integration forwards while the client is
/// still sending. The server feeds it and stops it with an error past the body limit.
public struct RequestBody: Sendable {
    public var chunks: AsyncThrowingStream<ByteBuffer, Error>
    /// The declared length (`Content-Length`), when there is one.
    public var length: Int?
    /// Whether the request has a body at all (a length above zero, or chunked encoding).
    public var isPresent: Bool

    public init(chunks: AsyncThrowingStream<ByteBuffer, Error>, length: Int?, isPresent: Bool) {
        self.chunks = chunks
        self.length = length
        self.isPresent = isPresent
    }

    /// No body.
    public static var empty: RequestBody {
        RequestBody(chunks: AsyncThrowingStream { $0.finish() }, length: 0, isPresent: false)
    }
}

/// A request as the pipeline sees it: the head, the body as it streams in, and the peer.
public struct GatewayRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: RequestBody
    public var remoteAddress: SocketAddress?
    public var receivedAt: NIODeadline
    public var receivedDate: Date

    public init(head: HTTPRequestHead, body: RequestBody, remoteAddress: SocketAddress?,
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
