import Foundation
import GatehouseCore

/// A row of the Keys & plans view: a usage plan, or one key under its plan (or under "no plan"), with its
/// calls today and, under a quota, what the period has used and has left.
public struct KeyPlanRow: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case plan, key }

    public var kind: Kind
    /// The plan (nil: a key on no plan).
    public var planId: String?
    public var planName: String
    public var keyId: String?
    public var keyName: String?
    public var enabled: Bool
    /// `API/STAGE` of the plan's stages.
    public var stages: [String]
    public var throttle: ThrottleLimit?
    public var quota: QuotaSettings?
    /// Calls today (UTC): the plan's keys together on a plan row.
    public var today: Int
    /// Calls in the current quota period and what is left of it (a key under a quota).
    public var used: Int?
    public var remaining: Int?

    public init(kind: Kind, planId: String?, planName: String, keyId: String? = nil, keyName: String? = nil, enabled: Bool = true,
                stages: [String] = [], throttle: ThrottleLimit? = nil, quota: QuotaSettings? = nil, today: Int = 0,
                used: Int? = nil, remaining: Int? = nil) {
        self.kind = kind
        self.planId = planId
        self.planName = planName
        self.keyId = keyId
        self.keyName = keyName
        self.enabled = enabled
        self.stages = stages
        self.throttle = throttle
        self.quota = quota
        self.today = today
        self.used = used
        self.remaining = remaining
    }

    /// What identifies the row through refreshes.
    public var identity: String { "\(planId ?? "-") \(keyId ?? "")" }
}
