import GatehouseCore
import NIOCore
import NIOHTTP1

/// Where a streamed response body goes: the client connection. Confined to the connection's event loop.
public protocol ResponseBodySink: AnyObject {
    func responseBodyChunk(_ chunk: ByteBuffer)
    /// The source has delivered what it read for now: a good moment to flush.
    func responseBodyFlush()
    func responseBodyEnd()
    func responseBodyFailed(_ error: any Error)
}

/// A response body that arrives over time (a backend's). The sink pauses it when the client cannot keep
/// up, so the gateway never buffers a fast backend's body for a slow client.
public protocol ResponseBodySource: AnyObject {
    func start(_ sink: any ResponseBodySink)
    func pause()
    func resume()
    /// The client went away: stop and release the backend connection.
    func cancel()
}

/// A response from the pipeline: status and headers, and a body that is either in memory or streamed from
/// the backend as it arrives.
public struct GatewayResponse {
    /// The two ways a body reaches the client.
    public enum Body {
        case buffer(ByteBuffer)
        case stream(any ResponseBodySource, expectedLength: Int?)
    }

    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: Body
    /// A response the gateway made itself (not the integration's): its type and the message it says, so the
    /// API's gateway responses can be applied to it.
    public var gatewayType: GatewayResponseType?
    public var gatewayMessage: String?

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: Body = .buffer(ByteBuffer())) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `{"message":"…"}` with `message` escaped as a JSON string.
    public static func jsonMessage(_ message: String) -> String {
        "{\"message\":" + DocValue.quote(message) + "}"
    }

    /// A gateway response of `type` with AWS's JSON body and `x-amzn-ErrorType` header.
    public static func gateway(_ type: GatewayResponseType) -> GatewayResponse {
        var response = PreparedGatewayResponses.shared[type].response
        response.gatewayType = type
        response.gatewayMessage = type.message
        return response
    }
}

/// An in-memory response built once (at start-up or when a configuration is compiled) and answered as is.
struct PreparedResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer

    var response: GatewayResponse { GatewayResponse(status: status, headers: headers, body: .buffer(body)) }
}

/// Gateway responses built once: status, headers and body of every type.
struct PreparedGatewayResponses: Sendable {
    let entries: [GatewayResponseType: PreparedResponse]
    static let shared = PreparedGatewayResponses()

    init() {
        var entries: [GatewayResponseType: PreparedResponse] = [:]
        for type in GatewayResponseType.allCases {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "x-amzn-ErrorType", value: type.errorTypeHeader)
            entries[type] = PreparedResponse(status: HTTPResponseStatus(statusCode: type.statusCode), headers: headers,
                                             body: ByteBuffer(string: type.body))
        }
        self.entries = entries
    }

    subscript(type: GatewayResponseType) -> PreparedResponse {
        entries[type] ?? PreparedResponse(status: .internalServerError, headers: [:], body: ByteBuffer(string: type.body))
    }
}
