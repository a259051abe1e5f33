/// Calls a key made under a plan on one UTC day: what the worker adds to the store, what quotas sum over their
/// period, and what `gatehouse usage` reports (AWS `GetUsage`: used and remaining per key per day).
public struct KeyUsage: Sendable, Equatable, Hashable {
    public var planId: String
    public var keyId: String
    /// `YYYY-MM-DD`, UTC.
    public var day: String
    public var used: Int

    public init(planId: String, keyId: String, day: String, used: Int) {
        self.planId = planId
        self.keyId = keyId
        self.day = day
        self.used = used
    }
}
