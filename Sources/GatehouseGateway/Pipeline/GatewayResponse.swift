import AsyncHTTPClient
import GatehouseCore
import NIOCore
import NIOHTTP1

/// A response from the pipeline: status and headers, and a body that is either in memory or streamed
/// from the backend as it arrives.
public struct GatewayResponse: Sendable {
    /// The two ways a body reaches the client.
    public enum Body: Sendable {
        case buffer(ByteBuffer)
        case stream(HTTPClientResponse.Body, expectedLength: Int?)
    }

    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: Body = .buffer(ByteBuffer())) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A gateway response of `type` with AWS's JSON body and `x-amzn-ErrorType` header.
    public static func gateway(_ type: GatewayResponseType) -> GatewayResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "x-amzn-ErrorType", value: type.errorTypeHeader)
        return GatewayResponse(status: HTTPResponseStatus(statusCode: type.statusCode), headers: headers,
                               body: .buffer(ByteBuffer(string: type.body)))
    }
}
