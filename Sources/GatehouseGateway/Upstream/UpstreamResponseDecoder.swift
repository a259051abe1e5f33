import NIOCore
import NIOHTTP1

/// NIOHTTP1's response decoder (llhttp) without its write-observing half: the upstream connection writes
/// request heads as bytes (`HTTPHeadWriter`), not as boxed parts through NIO's encoder, and tells the
/// decoder itself which method each response answers (a response to HEAD has no body).
struct UpstreamResponseDecoder: ByteToMessageDecoder {
    typealias InboundOut = HTTPClientResponsePart

    let decoder: HTTPResponseDecoder

    /// The next response answers a request of `method` (only the method matters: a response to HEAD has no body).
    func expectResponse(to method: HTTPMethod) {
        let head: HTTPRequestHead
        switch method {
        case .GET: head = Self.get
        case .HEAD: head = Self.head
        case .POST: head = Self.post
        default: head = HTTPRequestHead(version: .http1_1, method: method, uri: "/")
        }
        decoder.write(data: .head(head))
    }

    // Heads for the usual methods, made once: the decoder reads only the method.
    private static let get = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
    private static let head = HTTPRequestHead(version: .http1_1, method: .HEAD, uri: "/")
    private static let post = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        try decoder.decode(context: context, buffer: &buffer)
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decoder.decodeLast(context: context, buffer: &buffer, seenEOF: seenEOF)
    }

    func decoderAdded(context: ChannelHandlerContext) {
        decoder.decoderAdded(context: context)
    }

    func decoderRemoved(context: ChannelHandlerContext) {
        decoder.decoderRemoved(context: context)
    }
}
