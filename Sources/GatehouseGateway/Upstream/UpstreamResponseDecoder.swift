import NIOCore
import NIOHTTP1

/// NIOHTTP1's response decoder (llhttp) without its write-observing half: the upstream connection writes
/// request heads as bytes (`HTTPHeadWriter`), not as boxed parts through NIO's encoder, and tells the
/// decoder itself which method each response answers (a response to HEAD has no body).
struct UpstreamResponseDecoder: ByteToMessageDecoder {
    typealias InboundOut = HTTPClientResponsePart

    let decoder: HTTPResponseDecoder

    /// The next response answers `head`.
    func expectResponse(to head: HTTPRequestHead) {
        decoder.write(data: .head(head))
    }

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
