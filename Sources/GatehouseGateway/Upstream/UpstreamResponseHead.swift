import NIOHTTP1

/// A backend's response head as the upstream parser read it: the fields as sent, and the end-to-end ones the
/// client may see (hop-by-hop fields, and those the backend's `Connection` names, dropped). Both are made once
/// per distinct head on a backend connection and handed out again while its heads repeat (see
/// `UpstreamResponseParser`), so the proxy neither copies nor filters them per call.
struct UpstreamResponseHead {
    var version: HTTPVersion
    var status: HTTPResponseStatus
    /// Every field, in order, as the backend sent it (execution logs and response parameter mappings read these).
    var headers: HTTPHeaders
    /// The fields forwarded to the client.
    var endToEnd: HTTPHeaders

    /// NIO's head of the same fields (tests and the fuzzer compare readings with NIO's).
    var nio: HTTPResponseHead { HTTPResponseHead(version: version, status: status, headers: headers) }
}
