import GatehouseCore

/// Why the gateway answered a call itself: the AWS gateway response type and, where there is one, what
/// exactly went wrong (for the access log and execution log, never for the client).
public struct GatewayFailure: Sendable, Equatable, CustomStringConvertible {
    public var type: GatewayResponseType
    public var detail: String?

    public init(_ type: GatewayResponseType, detail: String? = nil) {
        self.type = type
        self.detail = detail
    }

    /// As the access log's `error` column reads: `TYPE` or `TYPE: detail`.
    public var description: String { detail.map { "\(type.rawValue): \($0)" } ?? type.rawValue }
}
