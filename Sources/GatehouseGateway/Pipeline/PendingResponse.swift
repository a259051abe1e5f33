/// A response that an integration delivers later, on the connection's event loop. A tiny, lock-free
/// stand-in for a future: confined to one loop, it is completed once and calls back once.
public final class PendingResponse {
    private var result: GatewayResponse?
    private var callback: ((GatewayResponse) -> Void)?

    public init() {}

    /// Delivers the response; later calls are ignored (a timeout and a late answer may race).
    public func complete(_ response: GatewayResponse) {
        guard result == nil else { return }
        result = response
        if let callback {
            self.callback = nil
            callback(response)
        }
    }

    /// Whether the response has been delivered.
    public var isCompleted: Bool { result != nil }

    /// Calls `body` with the response, now if it is there, else when it comes.
    public func whenComplete(_ body: @escaping (GatewayResponse) -> Void) {
        if let result { body(result) } else { callback = body }
    }
}
