import NIOCore

/// Holds a channel's reads while the other side of a call cannot take more (a slow client, a slow backend,
/// a pipelined request waiting), and lets the held read through once it can. Used by both hops' handlers
/// from their `read(context:)`.
struct ReadGate {
    private(set) var isHeld = false
    private var pending = false

    /// An outbound `read`: passed on, or kept while the gate is held.
    mutating func read(_ context: ChannelHandlerContext) {
        if isHeld {
            pending = true
        } else {
            context.read()
        }
    }

    /// Holds reads, or releases them and passes on a read kept meanwhile.
    mutating func set(held: Bool, context: ChannelHandlerContext?) {
        isHeld = held
        if !held, pending, let context {
            pending = false
            context.read()
        }
    }
}
