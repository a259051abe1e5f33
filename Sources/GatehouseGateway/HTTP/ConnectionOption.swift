import NIOHTTP1

/// What a message's `Connection` fields say about keeping its connection, read from their bytes the way NIO's
/// `isKeepAlive` reads them: `close` wins, two answers mean close, none leaves the version's default. Both hops'
/// parsers read it while they frame a head; asking `HTTPHeaders` afterwards split the values into string arrays.
enum ConnectionOption: Sendable, Equatable {
    case unspecified, close, keepAlive

    /// Takes in one `Connection` field's value; true when it names something beyond close and keep-alive (a
    /// field of that name is then hop-by-hop).
    @discardableResult
    mutating func read(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        var namesFields = false
        HTTPFieldLine.forEachListElement(value) { option in
            if HTTPFieldLine.equalsIgnoringCase(option, "close") {
                self = .close
            } else if HTTPFieldLine.equalsIgnoringCase(option, "keep-alive") {
                self = self == .unspecified ? .keepAlive : .close
            } else {
                namesFields = true
            }
        }
        return namesFields
    }

    /// Whether the connection may carry another message after this one.
    func keepAlive(_ version: HTTPVersion) -> Bool {
        switch self {
        case .close: return false
        case .keepAlive: return true
        case .unspecified: return version.major == 1 && version.minor >= 1
        }
    }
}
