/// Stands in for a channel handler wherever something that may outlive it has to reach it (a timer, a pending
/// response): those hold the link strongly, and the handler cuts it when it is removed from its pipeline. A weak
/// reference would do the same, but it gives the handler a side table, and from then on every retain and release
/// of the handler (NIO makes several for each read it delivers) takes the Swift runtime's slow path.
final class HandlerLink<Handler: AnyObject> {
    /// The handler, until it leaves its pipeline.
    var handler: Handler?

    init(_ handler: Handler) {
        self.handler = handler
    }
}

extension HandlerLink: PendingResponseReceiver where Handler: PendingResponseReceiver {
    func receive(_ response: GatewayResponse, for context: RequestContext) {
        handler?.receive(response, for: context)
    }
}
