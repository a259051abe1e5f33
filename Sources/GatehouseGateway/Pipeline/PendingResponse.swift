/// A response that an integration delivers later, on the connection's event loop. A tiny, lock-free
/// stand-in for a future: confined to one loop, it is completed once and calls back once. It keeps the
/// response only until it is handed over (a streamed response refers back to its source, which owns this).
public final class PendingResponse {
    private var result: GatewayResponse?
    private var callback: ((GatewayResponse) -> Void)?
    /// Whether the response has been delivered (or is waiting to be picked up).
    public private(set) var isCompleted = false

    public init() {}

    /// Delivers the response; later calls are ignored (a timeout and a late answer may race).
    public func complete(_ response: GatewayResponse) {
        guard !isCompleted else { return }
        isCompleted = true
        if let callback {
            self.callback = nil
            callback(response)
        } else {
            result = response
        }
    }

    /// Calls `body` with the response, now if it is there, else when it comes.
    public func whenComplete(_ body: @escaping (GatewayResponse) -> Void) {
        if let result {
            self.result = nil
            body(result)
        } else if !isCompleted {
            callback = body
        }
    }
}

extension PendingResponse {
    /// Delivers what the rest of a chain answered: now, or when its own pending response completes (a stage
    /// that had to wait — for a body, a token's keys, an authorizer — before calling `next`).
    func complete(with result: StageResult) {
        switch result {
        case .response(let response): complete(response)
        case .pending(let later): later.whenComplete { self.complete($0) }
        }
    }
}
