import NIOCore
import NIOHTTP1

/// A request head for a backend, already written as bytes (the integration stage writes it once; a retry
/// on a fresh connection sends the same bytes), with the method the response decoder must know.
struct UpstreamRequestHead {
    let method: HTTPMethod
    let bytes: ByteBuffer
}
