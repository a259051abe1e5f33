import GatehouseCore
import NIOHTTP1

/// The fields the connection sets on every response, whatever the stages answered: the request id, the
/// connection's fate and the body's framing. They are written after the response's own headers (which are
/// shared, prepared once, and never copied per call to change them); execution logging alone asks for the
/// merged list.
struct ResponseFraming {
    /// The call's id; as bits, its text is written straight into the head.
    var requestId: RequestIdentity
    /// `close` or `keep-alive`, when the connection states it.
    var connection: String?
    /// The length written; `nil` with `dropsLength` writes none.
    var contentLength: Int?
    /// Any `Content-Length` of the response is left out (bodyless statuses, chunked or close-delimited bodies).
    var dropsLength = false
    var chunked = false

    /// Whether a header of the response gives way to one of these.
    func overrides(_ name: String) -> Bool {
        switch name.utf8.count {
        case 10: return connection != nil && ProxyStage.equalsIgnoringCase(name, "connection")
        case 14: return (contentLength != nil || dropsLength) && ProxyStage.equalsIgnoringCase(name, "content-length")
        case 16: return ProxyStage.equalsIgnoringCase(name, "x-amzn-requestid")
        case 17: return chunked && ProxyStage.equalsIgnoringCase(name, "transfer-encoding")
        default: return false
        }
    }

    /// The fields in writing order.
    func forEachField(_ body: (String, String) -> Void) {
        body("x-amzn-RequestId", requestId.text)
        forEachFieldAfterId(body)
    }

    /// The fields after the request id, in writing order.
    func forEachFieldAfterId(_ body: (String, String) -> Void) {
        if let connection { body("Connection", connection) }
        if let contentLength { body("Content-Length", String(contentLength)) }
        if chunked { body("Transfer-Encoding", "chunked") }
    }

    /// The headers as the client receives them (for execution logging).
    func merged(into headers: HTTPHeaders) -> HTTPHeaders {
        var merged = HTTPHeaders()
        for (name, value) in headers where !overrides(name) { merged.add(name: name, value: value) }
        forEachField { merged.add(name: $0, value: $1) }
        return merged
    }
}
