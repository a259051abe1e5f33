import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1

/// A request as the pipeline sees it: the head, the body as it streams in, and the peer. Path and query
/// are split once, when the request arrives.
public struct GatewayRequest {
    public var head: HTTPRequestHead
    /// The body, when the request has one (a length above zero, or chunked encoding).
    public var body: RequestBody?
    public var remoteAddress: SocketAddress?
    public var receivedAt: NIODeadline
    public var receivedDate: Date
    /// The path without the query string.
    public let path: String
    /// The raw query string (without `?`), if any.
    public let query: String?

    /// `sourceIp` is the peer's address as text; the connection formats it once, not per call.
    public init(head: HTTPRequestHead, body: RequestBody?, remoteAddress: SocketAddress?, sourceIp: String? = nil,
                receivedAt: NIODeadline = .now(), receivedDate: Date = Date()) {
        self.head = head
        self.sourceIp = sourceIp ?? remoteAddress?.ipAddress
        self.body = body
        self.remoteAddress = remoteAddress
        self.receivedAt = receivedAt
        self.receivedDate = receivedDate
        if let mark = head.uri.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = String(head.uri[..<mark])
            query = String(head.uri[head.uri.index(after: mark)...])
        } else {
            path = head.uri
            query = nil
        }
    }

    /// Query parameters, percent-decoded; a repeated name keeps its last value.
    public var queryParameters: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in queryPairs { result[name] = value }
        return result
    }

    /// Every query parameter in order, percent-decoded (`+` as a space), repeats kept.
    public var queryPairs: [(name: String, value: String)] { QueryString.pairs(query) }

    /// The client's IP address, as text.
    public let sourceIp: String?
    /// What the connection's TLS handshake established (nil on the plain listener).
    public var tls: TLSConnectionInfo?
    /// The call came in on a listener started with `--private`: PRIVATE APIs are served only there.
    public var privateListener = false
}

/// What a TLS connection's handshake established, shared by the calls on it: the SNI name and, with mutual TLS,
/// the client certificate the worker verified.
public final class TLSConnectionInfo: Sendable {
    public let serverName: String?
    public let clientCertificate: ClientCertificateIdentity?

    public init(serverName: String?, clientCertificate: ClientCertificateIdentity?) {
        self.serverName = serverName
        self.clientCertificate = clientCertificate
    }
}
