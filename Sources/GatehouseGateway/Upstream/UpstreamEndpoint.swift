/// Where a backend listens, read from an integration URL: scheme, host and port, and the path with query
/// to put in the request line. Parsed once per configuration where the URL is fixed.
public struct UpstreamEndpoint: Hashable, Sendable {
    public let secure: Bool
    public let host: String
    public let port: Int
    /// The `Host` header value for this endpoint, made once.
    public let hostHeader: String
    /// For https: a client certificate to present or verification turned off; nil is the standard way. Part of
    /// the pool's key, so connections made one way are never reused the other.
    public private(set) var tls: UpstreamTLSProfile?

    /// The same endpoint spoken to with `tls` (https endpoints only).
    func with(tls: UpstreamTLSProfile?) -> UpstreamEndpoint {
        guard secure, let tls else { return self }
        var endpoint = self
        endpoint.tls = tls
        return endpoint
    }

    public init(secure: Bool, host: String, port: Int) {
        self.secure = secure
        self.host = host
        self.port = port
        let bracketed = host.contains(":") ? "[\(host)]" : host
        hostHeader = port == (secure ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }

    /// Splits `http(s)://host[:port][/path][?query]` into the endpoint and the request target.
    public static func parse(_ url: String) -> (endpoint: UpstreamEndpoint, target: String)? {
        let secure: Bool
        var rest: Substring
        if url.lowercased().hasPrefix("http://") {
            secure = false
            rest = url.dropFirst(7)
        } else if url.lowercased().hasPrefix("https://") {
            secure = true
            rest = url.dropFirst(8)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host: Substring
        var port = secure ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()), (1...65535).contains(value) else { return nil }
                port = value
            } else if !after.isEmpty {
                return nil
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65535).contains(value) else { return nil }
            port = value
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var target = String(rest)
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        return (UpstreamEndpoint(secure: secure, host: String(host), port: port), target)
    }
}
