import NIOHTTP1

/// What a backend's response head says about its framing and its connection, read from the field bytes while the
/// head is parsed. Asking `HTTPHeaders` afterwards (`isKeepAlive`, `[canonicalForm:]`) split and copied the
/// values into arrays of strings: eight allocations and 3 % of a proxied call (`perf`, docs/performance.md).
struct ResponseHeadFacts: Sendable, Equatable {
    /// Transfer codings listed, and whether the last one is chunked.
    var codings = 0
    var lastCodingIsChunked = false
    /// Content-Length values listed; the length when every one is the same number of digits.
    var lengths = 0
    var length: Int?
    var lengthsAgree = true
    /// What `Connection` says, NIO's way: `close` wins, two answers mean close, none is the version's default.
    var connection = ConnectionOption.unspecified
    /// `Connection` names fields beyond `close` and `keep-alive` (they are dropped as hop-by-hop too).
    var connectionNamesFields = false

    /// Whether the connection may carry another exchange after this response.
    func keepAlive(_ version: HTTPVersion) -> Bool {
        connection.keepAlive(version)
    }

    /// The body's length, when the head frames it by one agreed Content-Length and no coding.
    var contentLength: Int? { codings == 0 && lengthsAgree ? length : nil }

    /// Takes in one field line's name and value.
    mutating func note(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        switch name.count {
        case 10 where HTTPFieldLine.equalsIgnoringCase(name, "connection"):
            if connection.read(value) { connectionNamesFields = true }
        case 14 where HTTPFieldLine.equalsIgnoringCase(name, "content-length"):
            HTTPFieldLine.forEachListElement(value) { digits in
                lengths += 1
                guard lengthsAgree else { return }
                var number = 0
                for byte in digits {
                    guard byte >= 48, byte <= 57, digits.count <= 18 else {
                        lengthsAgree = false
                        return
                    }
                    number = number * 10 + Int(byte - 48)
                }
                if lengths == 1 {
                    length = number
                    firstLengthDigits = digits.count
                } else if number != length || digits.count != firstLengthDigits {
                    lengthsAgree = false
                }
            }
        case 17 where HTTPFieldLine.equalsIgnoringCase(name, "transfer-encoding"):
            HTTPFieldLine.forEachListElement(value) { coding in
                codings += 1
                lastCodingIsChunked = HTTPFieldLine.equalsIgnoringCase(coding, "chunked")
            }
        default:
            break
        }
    }

    /// How many digits the first length had ("05" and "5" disagree, as the strings did).
    private var firstLengthDigits = 0
}
