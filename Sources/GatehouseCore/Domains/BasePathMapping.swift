/// Which API stage a custom domain's path prefix serves (AWS's `BasePathMapping`). The base path may have
/// several segments (`v1/orders`); the empty base path (AWS's `(none)`) takes every path no other mapping does.
public struct BasePathMapping: Codable, Sendable, Equatable {
    public var domainName: String
    /// Without leading or trailing slashes; empty for `(none)`.
    public var basePath: String
    public var restApiId: String
    public var stage: String

    public init(domainName: String, basePath: String, restApiId: String, stage: String) {
        self.domainName = DomainName.normalized(domainName)
        self.basePath = BasePathMapping.normalized(basePath)
        self.restApiId = restApiId
        self.stage = stage
    }

    /// `/v1/orders/` → `v1/orders`; `(none)` and `/` → empty.
    public static func normalized(_ basePath: String) -> String {
        if basePath == "(none)" { return "" }
        return basePath.split(separator: "/").joined(separator: "/")
    }

    /// How AWS writes the base path: `(none)` when empty.
    public var displayBasePath: String { basePath.isEmpty ? "(none)" : basePath }

    /// Why `basePath` cannot be a base path, or nil (segments of letters, digits and `-._~`, as AWS allows).
    public static func problem(withBasePath basePath: String) -> String? {
        let path = normalized(basePath)
        for segment in path.split(separator: "/") {
            guard segment.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
            }) else {
                return "'\(basePath)' is not a base path: use segments of letters, digits and - . _ ~ separated by /"
            }
        }
        return nil
    }
}
