/// A response that an integration delivers later, on the connection's event loop. A tiny, lock-free
/// stand-in for a future: confined to one loop, it is completed once and calls back once. It keeps the
/// response only until it is handed over (a streamed response refers back to its source, which owns this).
/// Not final: a call's upstream exchange is its own pending response (one object per proxied call fewer).
public class PendingResponse {
    private var result: GatewayResponse?
    private var callback: ((GatewayResponse) -> Void)?
    /// Whether the response has been delivered (or is waiting to be picked up).
    public private(set) final var isCompleted = false

    public init() {}

    /// The receiver of the response when it is a connection handler (no closure to allocate per call), and the
    /// call it is for. Held strongly: it is the handler's `HandlerLink`, cut when the connection goes.
    private var receiver: (any PendingResponseReceiver)?
    private var receiverCall: RequestContext?

    /// Delivers the response; later calls are ignored (a timeout and a late answer may race).
    public final func complete(_ response: GatewayResponse) {
        guard !isCompleted else { return }
        isCompleted = true
        if let call = receiverCall, let receiver {
            receiverCall = nil
            self.receiver = nil
            receiver.receive(response, for: call)
        } else if let callback {
            self.callback = nil
            callback(response)
        } else {
            result = response
        }
    }

    /// Hands the response to `receiver` for the call `context`, now if it is there, else when it comes.
    final func whenComplete(deliverTo receiver: some PendingResponseReceiver, for context: RequestContext) {
        if let result {
            self.result = nil
            receiver.receive(result, for: context)
        } else if !isCompleted {
            self.receiver = receiver
            receiverCall = context
        }
    }

    /// Calls `body` with the response, now if it is there, else when it comes.
    public final func whenComplete(_ body: @escaping (GatewayResponse) -> Void) {
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

/// Takes a call's response when it comes (the connection handler), without a closure per call.
protocol PendingResponseReceiver: AnyObject {
    func receive(_ response: GatewayResponse, for context: RequestContext)
}
