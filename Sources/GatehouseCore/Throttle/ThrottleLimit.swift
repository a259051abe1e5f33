/// A token-bucket limit: a steady `rate` (requests per second) and a `burst` (bucket size).
public struct ThrottleLimit: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var rate: Double
    public var burst: Int

    public init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = burst
    }

    public var description: String {
        let r = rate == rate.rounded() ? String(Int(rate)) : String(rate)
        return "\(r) rps / burst \(burst)"
    }
}

/// Where a limit in force comes from, most specific first; usage-plan scopes arrive with keys and plans.
public enum ThrottleScope: String, Codable, Sendable, CaseIterable {
    case planMethod = "plan-method"
    case plan = "plan"
    case stageMethod = "stage-method"
    case stage = "stage"
    case account = "account"
}

/// One limit that applies to a request, with the identity of the bucket that counts it.
public struct AppliedThrottle: Sendable, Equatable, Hashable {
    public var scope: ThrottleScope
    /// Identifies the bucket: requests with the same key share tokens.
    public var bucketKey: String
    public var limit: ThrottleLimit

    public init(scope: ThrottleScope, bucketKey: String, limit: ThrottleLimit) {
        self.scope = scope
        self.bucketKey = bucketKey
        self.limit = limit
    }
}
