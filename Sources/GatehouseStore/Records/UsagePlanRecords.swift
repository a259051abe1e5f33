import Foundation
import GatehouseCore
import GRDB

/// A `usage_plan` row. Records, not hand-mapped rows: GRDB reads and writes the columns by name.
struct UsagePlanRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "usage_plan"
    var id: String
    var name: String
    var description: String
    var rate: Double?
    var burst: Int?
    var quotaLimit: Int?
    var quotaPeriod: String?
    var quotaOffset: Int
    var quotaSince: Double?
    var created: Double
    var lastUpdated: Double

    enum CodingKeys: String, CodingKey {
        case id, name, description, rate, burst
        case quotaLimit = "quota_limit", quotaPeriod = "quota_period", quotaOffset = "quota_offset", quotaSince = "quota_since"
        case created, lastUpdated = "last_updated"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let name = Column(CodingKeys.name)
    }

    init(_ plan: UsagePlan) {
        id = plan.id
        name = plan.name
        description = plan.description
        rate = plan.throttle?.rate
        burst = plan.throttle?.burst
        quotaLimit = plan.quota?.limit
        quotaPeriod = plan.quota?.period.rawValue
        quotaOffset = plan.quota?.offset ?? 0
        quotaSince = plan.quotaSince?.timeIntervalSince1970
        created = plan.created.timeIntervalSince1970
        lastUpdated = plan.lastUpdated.timeIntervalSince1970
    }

    func plan(stages: [UsagePlanStage]) -> UsagePlan {
        let throttle = rate.flatMap { rate in burst.map { ThrottleLimit(rate: rate, burst: $0) } }
        let quota = quotaLimit.flatMap { limit in
            quotaPeriod.flatMap(QuotaPeriod.init(rawValue:)).map { QuotaSettings(limit: limit, period: $0, offset: quotaOffset) }
        }
        return UsagePlan(id: id, name: name, description: description, throttle: throttle, quota: quota, apiStages: stages,
                         quotaSince: quotaSince.map(Date.init(timeIntervalSince1970:)),
                         created: Date(timeIntervalSince1970: created), lastUpdated: Date(timeIntervalSince1970: lastUpdated))
    }
}

/// A `usage_plan_stage` row: one API stage of a plan, its per-method throttles as JSON.
struct UsagePlanStageRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "usage_plan_stage"
    var planId: String
    var apiId: String
    var stage: String
    var throttle: String

    enum CodingKeys: String, CodingKey {
        case planId = "plan_id", apiId = "api_id", stage, throttle
    }

    enum Columns {
        static let planId = Column(CodingKeys.planId)
        static let apiId = Column(CodingKeys.apiId)
        static let stage = Column(CodingKeys.stage)
    }

    init(planId: String, _ stage: UsagePlanStage) throws {
        self.planId = planId
        apiId = stage.apiId
        self.stage = stage.stage
        throttle = try Store.json(stage.throttle)
    }

    func planStage() throws -> UsagePlanStage {
        UsagePlanStage(apiId: apiId, stage: stage, throttle: try Store.decode([String: ThrottleLimit].self, throttle))
    }
}

/// A `usage_plan_key` row: a key on a plan.
struct UsagePlanKeyRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "usage_plan_key"
    var planId: String
    var keyId: String

    enum CodingKeys: String, CodingKey {
        case planId = "plan_id", keyId = "key_id"
    }

    enum Columns {
        static let planId = Column(CodingKeys.planId)
        static let keyId = Column(CodingKeys.keyId)
    }
}
