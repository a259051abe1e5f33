/// Request ids in AWS's UUID form (version 4 layout), made without a system call per id: a generator is
/// seeded once from the system's random source and steps a SplitMix64 sequence. `UUID()` on Linux opens
/// and reads `/dev/urandom` for every id, which the data-plane profile showed on every call.
public struct RequestIdGenerator: Sendable {
    private var state: UInt64

    public init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    /// Seeded, for tests.
    public init(seed: UInt64) {
        state = seed
    }

    private mutating func word() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A new id, e.g. `3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6f`.
    public mutating func make() -> String {
        next().text
    }

    /// A new id as its bits (version 4, RFC 4122 variant); its text is made where it is read.
    public mutating func next() -> RequestId {
        var high = word(), low = word()
        high = (high & ~0xF000) | 0x4000  // version 4
        low = (low & ~(0xC000 << 48)) | (0x8000 << 48)  // RFC 4122 variant
        return RequestId(high: high, low: low)
    }
}

/// A request's id as its 128 bits: the worker writes the text (a UUID's 36 characters) straight into the response
/// head and, off the event loop, into the access-log row. Making a `String` of it for every call was an allocation on
/// the loop and a free on the telemetry writer's thread.
public struct RequestId: Sendable, Hashable {
    public let high: UInt64
    public let low: UInt64

    /// Characters in the text.
    public static let textLength = 36

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The id as text, e.g. `3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6f`.
    public var text: String {
        String(unsafeUninitializedCapacity: Self.textLength) { write(into: $0) }
    }

    /// Writes the text into `buffer` (at least `textLength` bytes); returns the bytes written.
    @discardableResult
    public func write(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard buffer.count >= Self.textLength else { return 0 }
        let digits: StaticString = "0123456789abcdef"
        var position = 0
        func put(_ value: UInt64, nibbles: Int) {
            for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                buffer[position] = digits.utf8Start[Int((value >> UInt64(shift)) & 0xF)]
                position += 1
            }
        }
        func dash() {
            buffer[position] = UInt8(ascii: "-")
            position += 1
        }
        put(high >> 32, nibbles: 8); dash()
        put((high >> 16) & 0xFFFF, nibbles: 4); dash()
        put(high & 0xFFFF, nibbles: 4); dash()
        put(low >> 48, nibbles: 4); dash()
        put(low & 0xFFFF_FFFF_FFFF, nibbles: 12)
        return position
    }
}

/// A request id as the gateway holds it: the bits the connection made (their text written only where it is read),
/// or text (an id given as text, or read back from the store). One value, so "which of the two" cannot disagree.
public enum RequestIdentity: Sendable, Hashable {
    case bits(RequestId)
    case text(String)

    /// The id's text (made from the bits each time it is asked for).
    public var text: String {
        switch self {
        case .bits(let id): id.text
        case .text(let text): text
        }
    }
}
