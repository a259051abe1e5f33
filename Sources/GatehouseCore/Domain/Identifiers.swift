import Foundation

/// Makes the short random ids AWS uses for APIs, resources and deployments (10 lowercase alphanumerics).
public enum Identifiers {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// A new random id of `length` characters.
    public static func make(length: Int = 10) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    /// A request id in AWS's UUID form.
    public static func requestId() -> String {
        UUID().uuidString.lowercased()
    }
}
