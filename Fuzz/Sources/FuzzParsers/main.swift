@testable import GatehouseGateway
import NIOCore
import NIOHTTP1

/// Both hops' HTTP/1.x parsers on any bytes: they never crash, and they agree with themselves — the bytes fed
/// whole and fed in two pieces (cut where the first byte says) give the same requests or responses, bodies and
/// refusal, so no read boundary can change where a message ends.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParsers(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 1 else { return 0 }
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let input = Array(bytes.dropFirst())
    let cut = Int(bytes[0]) % (input.count + 1)
    let wholeRequests = requests(input, cut: input.count)
    if wholeRequests != requests(input, cut: cut) { fatalError("RequestParser depends on where reads end") }
    if wholeRequests != requests(input, cut: input.count, reusing: false) { fatalError("RequestParser reads a request differently when it reuses the previous one's fields") }
    let whole = responses(input, cut: input.count)
    if whole != responses(input, cut: cut) { fatalError("UpstreamResponseParser depends on where reads end") }
    if whole != responses(input, cut: input.count, reusing: false) { fatalError("UpstreamResponseParser reads a head differently when it reuses the previous one's fields") }
    return 0
}

/// What the request parser made of `input` read in two pieces: a line per event, then the refusal if any.
func requests(_ input: [UInt8], cut: Int, reusing: Bool = true) -> [String] {
    var parser = RequestParser(maxRequestLineBytes: 512, maxFieldBytes: 1024)
    parser.reusesPreviousHead = reusing
    var events: [String] = [], buffer = ByteBuffer(), body: [UInt8] = []
    do {
        for piece in [input[..<cut], input[cut...]] {
            buffer.writeBytes(piece)
            while let event = try parser.next(&buffer) {
                switch event {
                case .head(let head):
                    if parser.keepAlive != head.isKeepAlive { fatalError("request keep-alive read differently from NIO: \(head)") }
                    events.append("head \(head.method) \(head.uri) \(head.version) \(head.headers.map { "\($0.name)=\($0.value)" })")
                case .body(var piece): body += piece.readBytes(length: piece.readableBytes) ?? []
                case .end:
                    events.append("end \(body)")
                    body = []
                }
            }
        }
    } catch {
        events.append("refused \(error.status.code)")
    }
    return events
}

/// What the upstream parser made of `input` read in two pieces, as responses to GETs, then the end of input.
func responses(_ input: [UInt8], cut: Int, reusing: Bool = true) -> [String] {
    var parser = UpstreamResponseParser()
    parser.reusesPreviousHead = reusing
    parser.expectResponse(to: .GET)
    var events: [String] = [], buffer = ByteBuffer(), body: [UInt8] = []
    do {
        for piece in [input[..<cut], input[cut...]] {
            buffer.writeBytes(piece)
            while let event = try parser.next(&buffer) {
                switch event {
                case .head(let head):
                    // What the parser read from the field bytes agrees with what NIO reads from the same fields.
                    let facts = parser.facts
                    if facts.keepAlive(head.version) != head.nio.isKeepAlive { fatalError("keep-alive read differently from NIO: \(facts) \(head)") }
                    // The end-to-end list is the fields less the hop-by-hop ones and those Connection names.
                    let tokens = head.headers[canonicalForm: "connection"].filter { $0.lowercased() != "close" && $0.lowercased() != "keep-alive" }
                    if head.endToEnd.map({ "\($0.name)=\($0.value)" }) != head.headers.filter({ !ProxyStage.isHopByHop($0.name, connectionTokens: tokens) }).map({ "\($0.name)=\($0.value)" }) {
                        fatalError("end-to-end fields differ from the fields less hop-by-hop ones: \(head)")
                    }
                    if let length = facts.contentLength, head.headers[canonicalForm: "content-length"].contains(where: { Int($0) != length }) {
                        fatalError("Content-Length \(length) read differently from the fields: \(head)")
                    }
                    events.append("head \(head.status.code) \(head.status.reasonPhrase) \(head.version) \(head.headers.map { "\($0.name)=\($0.value)" }) \(head.endToEnd.map { "\($0.name)=\($0.value)" }) \(facts)")
                case .body(var piece): body += piece.readBytes(length: piece.readableBytes) ?? []
                case .end:
                    events.append("end \(body)")
                    body = []
                    parser.expectResponse(to: .GET)
                }
            }
        }
        if case .end? = parser.finish() { events.append("end at EOF \(body)") }
    } catch {
        events.append("refused")
    }
    return events
}
