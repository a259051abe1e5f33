/// One segment of a resource path: a literal, a `{param}`, or a greedy `{proxy+}`.
public enum PathSegment: Sendable, Equatable, Hashable {
    case literal(String)
    case parameter(String)
    case greedy(String)

    /// Parses a `pathPart` such as `pets`, `{id}` or `{proxy+}`.
    public init(_ part: String) {
        if part.hasPrefix("{") && part.hasSuffix("}") {
            let inner = String(part.dropFirst().dropLast())
            if inner.hasSuffix("+") {
                self = .greedy(String(inner.dropLast()))
            } else {
                self = .parameter(inner)
            }
        } else {
            self = .literal(part)
        }
    }

    /// Splits a resource path (`/pets/{id}`) into segments; `/` has none.
    public static func split(_ path: String) -> [PathSegment] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { PathSegment(String($0)) }
    }

    /// Checks a resource path for what AWS rejects: empty parts, bad braces, a greedy part that is not last.
    public static func validate(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return "a resource path must start with '/'" }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if path == "/" { return nil }
        for (index, part) in parts.enumerated() {
            if part.isEmpty { return "a resource path may not have an empty part ('//' or a trailing '/')" }
            let opens = part.filter { $0 == "{" }.count, closes = part.filter { $0 == "}" }.count
            if opens != closes || opens > 1 { return "the path part '\(part)' has unbalanced or nested braces" }
            if opens == 1 && !(part.hasPrefix("{") && part.hasSuffix("}")) {
                return "the path part '\(part)' mixes a parameter with literal text"
            }
            if part.hasSuffix("+}") && index != parts.count - 1 {
                return "the greedy part '\(part)' must be the last part of the path"
            }
        }
        return nil
    }
}
