import Foundation

/// An API key as Amazon API Gateway models it (`ApiKey`): a secret value callers send in `x-api-key`, which
/// usage plans meter and limit. The value leaves the store only when asked for (`show --value`).
public struct ApiKey: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var description: String
    public var customerId: String?
    public var enabled: Bool
    public var created: Date
    public var lastUpdated: Date
    /// Present only when read with the value.
    public var value: String?

    public init(id: String, name: String, description: String = "", customerId: String? = nil, enabled: Bool = true,
                created: Date, lastUpdated: Date, value: String? = nil) {
        self.id = id
        self.name = name
        self.description = description
        self.customerId = customerId
        self.enabled = enabled
        self.created = created
        self.lastUpdated = lastUpdated
        self.value = value
    }

    /// A new value: 40 characters of letters and digits from the system's CSPRNG (about 238 bits).
    public static func generateValue() -> String {
        RandomText.make(count: 40, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    }

    /// Why a value given by the operator cannot be a key (as AWS: at least 20 characters), or nil.
    public static func problem(withValue value: String) -> String? {
        if value.count < 20 { return "an API key value needs at least 20 characters, this one has \(value.count)" }
        if value.count > 128 { return "an API key value has at most 128 characters, this one has \(value.count)" }
        if let bad = value.unicodeScalars.first(where: { $0.value < 0x21 || $0.value > 0x7E }) {
            return "an API key value is printable ASCII without spaces; it contains \(bad.value < 0x21 || bad.value == 0x7F ? "a control character or space" : "'\(bad)'")"
        }
        return nil
    }
}

/// Secrets and ids as text: each character drawn from the system's CSPRNG with rejection sampling, so every
/// character of the alphabet is equally likely. API key values and credentials use it.
public enum RandomText {
    public static func make(count: Int, from alphabet: String) -> String {
        let characters = Array(alphabet)
        var generator = SystemRandomNumberGenerator()
        let limit = 256 - 256 % characters.count
        var text = ""
        while text.count < count {
            let byte = Int(UInt8.random(in: 0...255, using: &generator))
            if byte < limit { text.append(characters[byte % characters.count]) }
        }
        return text
    }
}
