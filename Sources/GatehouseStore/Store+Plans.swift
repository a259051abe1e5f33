import Foundation
import GatehouseCore
import GRDB

/// Usage plans: their stages, per-method throttles, quotas and keys, changed by any process and audited. A key
/// is on at most one plan per API stage, whichever change would break that (adding a key, adding a stage).
extension Store {
    /// Creates a plan covering `stages` (each must exist).
    @discardableResult
    public func createUsagePlan(name: String, description: String = "", throttle: ThrottleLimit? = nil, quota: QuotaSettings? = nil,
                                stages: [UsagePlanStage], actor: Actor, now: Date = Date()) throws -> UsagePlan {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw StoreError.invalid("a usage plan needs a name (--name)") }
        try Self.validate(throttle: throttle, quota: quota)
        let plan = UsagePlan(id: Identifiers.make(), name: name, description: description, throttle: throttle, quota: quota,
                             apiStages: stages, quotaSince: quota == nil ? nil : now, created: now, lastUpdated: now)
        try write { db in
            try UsagePlanRecord(plan).insert(db)
            for stage in stages {
                try Self.requireStageExists(db, stage)
                try UsagePlanStageRecord(planId: plan.id, stage).insert(db)
            }
            try Self.audit(db, actor: actor, action: "CreateUsagePlan", target: "usageplans/\(plan.id)", before: nil,
                           after: Self.summary(plan))
        }
        return plan
    }

    /// Every plan, by name, with its stages.
    public func usagePlans() throws -> [UsagePlan] {
        try read { db in try Self.loadPlans(db) }
    }

    /// One plan.
    public func usagePlan(id: String) throws -> UsagePlan {
        try read { db in try Self.requirePlan(db, id: id) }
    }

    /// What `plan update` may change; nil leaves a part as it is (`.some(nil)` removes a throttle or quota).
    public struct PlanUpdate: Sendable {
        public var name: String?
        public var description: String?
        public var throttle: ThrottleLimit??
        public var quota: QuotaSettings??
        public var addStages: [UsagePlanStage] = []
        public var removeStages: [UsagePlanStage] = []

        public init(name: String? = nil, description: String? = nil, throttle: ThrottleLimit?? = nil, quota: QuotaSettings?? = nil,
                    addStages: [UsagePlanStage] = [], removeStages: [UsagePlanStage] = []) {
            self.name = name
            self.description = description
            self.throttle = throttle
            self.quota = quota
            self.addStages = addStages
            self.removeStages = removeStages
        }
    }

    /// Changes a plan; adding a stage is refused when one of the plan's keys is already on another plan for it.
    @discardableResult
    public func updateUsagePlan(id: String, _ change: PlanUpdate, actor: Actor, now: Date = Date()) throws -> UsagePlan {
        try write { db in
            let before = try Self.requirePlan(db, id: id)
            var plan = before
            if let name = change.name {
                guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw StoreError.invalid("a usage plan needs a name") }
                plan.name = name
            }
            if let description = change.description { plan.description = description }
            if let throttle = change.throttle { plan.throttle = throttle }
            if let quota = change.quota {
                if quota != before.quota { plan.quotaSince = quota == nil ? nil : now }
                plan.quota = quota
            }
            try Self.validate(throttle: plan.throttle, quota: plan.quota)
            for stage in change.removeStages {
                guard plan.stage(apiId: stage.apiId, stageName: stage.stage) != nil else {
                    throw StoreError.notFound(what: "stage \(stage.label) on usage plan \(id)", hint: "`gatehouse plan show \(id)` lists its stages")
                }
                plan.apiStages.removeAll { $0.apiId == stage.apiId && $0.stage == stage.stage }
                try db.execute(sql: "DELETE FROM usage_plan_stage WHERE plan_id = ? AND api_id = ? AND stage = ?",
                               arguments: [id, stage.apiId, stage.stage])
            }
            for stage in change.addStages where plan.stage(apiId: stage.apiId, stageName: stage.stage) == nil {
                try Self.requireStageExists(db, stage)
                for keyId in try Self.planKeyIds(db, planId: id) {
                    try Self.refuseSecondPlan(db, keyId: keyId, stage: stage, except: id)
                }
                plan.apiStages.append(stage)
                try UsagePlanStageRecord(planId: id, stage).insert(db)
            }
            plan.lastUpdated = now
            try UsagePlanRecord(plan).update(db)
            try Self.audit(db, actor: actor, action: "UpdateUsagePlan", target: "usageplans/\(id)", before: Self.summary(before),
                           after: Self.summary(plan))
            return plan
        }
    }

    /// Sets (or, with nil, removes) a plan's throttle for one method of one of its stages, keyed as stage method
    /// settings are (`/pets/GET`).
    public func setPlanMethodThrottle(planId: String, apiId: String, stageName: String, methodKey: String, limit: ThrottleLimit?,
                                      actor: Actor) throws {
        if let limit { try Self.validate(throttle: limit, quota: nil) }
        try write { db in
            let plan = try Self.requirePlan(db, id: planId)
            guard var stage = plan.stage(apiId: apiId, stageName: stageName) else {
                throw StoreError.notFound(what: "stage \(apiId)/\(stageName) on usage plan \(planId)",
                                          hint: "add it with `gatehouse plan update \(planId) --add-stage \(apiId)/\(stageName)`")
            }
            try Self.requireServedMethod(db, stage: try Self.existingStage(db, apiId: apiId, stageName: stageName), methodKey: methodKey)
            let before = stage.throttle[methodKey]
            stage.throttle[methodKey] = limit
            try UsagePlanStageRecord(planId: planId, stage).update(db)
            try Self.audit(db, actor: actor, action: "UpdateUsagePlan(method throttle)",
                           target: "usageplans/\(planId)/\(apiId)/\(stageName)/\(Stage.methodLabel(settingsKey: methodKey))",
                           before: before?.description ?? "none", after: limit?.description ?? "none")
        }
    }

    /// Deletes a plan (its keys stay, off the plan; its usage history stays for billing).
    public func deleteUsagePlan(id: String, actor: Actor) throws {
        try write { db in
            let before = try Self.requirePlan(db, id: id)
            _ = try UsagePlanRecord.deleteOne(db, key: id)
            try Self.audit(db, actor: actor, action: "DeleteUsagePlan", target: "usageplans/\(id)", before: Self.summary(before), after: nil)
        }
    }

    /// Puts a key on a plan; refused when the key is already on another plan for one of this plan's stages.
    public func addKeyToPlan(planId: String, keyId: String, actor: Actor) throws {
        try write { db in
            let plan = try Self.requirePlan(db, id: planId)
            let key = try Self.requireApiKey(db, id: keyId, value: false)
            guard try UsagePlanKeyRecord.fetchOne(db, key: ["plan_id": planId, "key_id": keyId]) == nil else { return }
            for stage in plan.apiStages {
                try Self.refuseSecondPlan(db, keyId: keyId, stage: stage, except: planId)
            }
            try UsagePlanKeyRecord(planId: planId, keyId: keyId).insert(db)
            try Self.audit(db, actor: actor, action: "CreateUsagePlanKey", target: "usageplans/\(planId)/keys/\(keyId)", before: nil,
                           after: key.name)
        }
    }

    /// Takes a key off a plan.
    public func removeKeyFromPlan(planId: String, keyId: String, actor: Actor) throws {
        try write { db in
            _ = try Self.requirePlan(db, id: planId)
            guard try UsagePlanKeyRecord.deleteOne(db, key: ["plan_id": planId, "key_id": keyId]) else {
                throw StoreError.notFound(what: "key \(keyId) on usage plan \(planId)", hint: "`gatehouse plan show \(planId)` lists its keys")
            }
            try Self.audit(db, actor: actor, action: "DeleteUsagePlanKey", target: "usageplans/\(planId)/keys/\(keyId)", before: keyId, after: nil)
        }
    }

    /// The keys on a plan, by name (with their values only when `values` is true).
    public func planKeys(planId: String, values: Bool = false) throws -> [ApiKey] {
        try read { db in
            _ = try Self.requirePlan(db, id: planId)
            return try Row.fetchAll(db, sql: """
                SELECT api_key.* FROM api_key JOIN usage_plan_key ON usage_plan_key.key_id = api_key.id
                WHERE usage_plan_key.plan_id = ? ORDER BY api_key.name, api_key.id
                """, arguments: [planId]).map { Self.apiKey(from: $0, value: values) }
        }
    }

    /// The plans a key is on.
    public func plansOfKey(keyId: String) throws -> [String] {
        try read { db in
            try UsagePlanKeyRecord.filter(UsagePlanKeyRecord.Columns.keyId == keyId).fetchAll(db).map(\.planId).sorted()
        }
    }

    // MARK: helpers

    static func loadPlans(_ db: Database) throws -> [UsagePlan] {
        let stages = try Dictionary(grouping: UsagePlanStageRecord.fetchAll(db), by: \.planId)
        return try UsagePlanRecord.order(UsagePlanRecord.Columns.name, UsagePlanRecord.Columns.id).fetchAll(db).map { record in
            record.plan(stages: try (stages[record.id] ?? []).map { try $0.planStage() }.sorted { $0.label < $1.label })
        }
    }

    static func requirePlan(_ db: Database, id: String) throws -> UsagePlan {
        guard let record = try UsagePlanRecord.fetchOne(db, key: id) else {
            throw StoreError.notFound(what: "usage plan \(id)", hint: "`gatehouse plan list` shows the plans")
        }
        let stages = try UsagePlanStageRecord.filter(UsagePlanStageRecord.Columns.planId == id).fetchAll(db)
        return record.plan(stages: try stages.map { try $0.planStage() }.sorted { $0.label < $1.label })
    }

    static func planKeyIds(_ db: Database, planId: String) throws -> [String] {
        try UsagePlanKeyRecord.filter(UsagePlanKeyRecord.Columns.planId == planId).fetchAll(db).map(\.keyId)
    }

    static func requireStageExists(_ db: Database, _ stage: UsagePlanStage) throws {
        guard try Self.loadStage(db, apiId: stage.apiId, stageName: stage.stage) != nil else {
            throw StoreError.notFound(what: "stage \(stage.label)", hint: "deploy it first: `gatehouse deploy --api \(stage.apiId) --stage \(stage.stage)`")
        }
    }

    /// Throws when `keyId` is on a plan other than `except` that covers `stage`.
    static func refuseSecondPlan(_ db: Database, keyId: String, stage: UsagePlanStage, except: String) throws {
        if let other = try String.fetchOne(db, sql: """
            SELECT k.plan_id FROM usage_plan_key k JOIN usage_plan_stage s ON s.plan_id = k.plan_id
            WHERE k.key_id = ? AND s.api_id = ? AND s.stage = ? AND k.plan_id != ?
            """, arguments: [keyId, stage.apiId, stage.stage, except]) {
            throw StoreError.invalid("key \(keyId) is already on usage plan \(other) for stage \(stage.label): a key is on at most one plan per API stage; "
                                     + "remove it there first (`gatehouse plan remove-key --plan \(other) --key \(keyId)`)")
        }
    }

    static func validate(throttle: ThrottleLimit?, quota: QuotaSettings?) throws {
        if let throttle, !(throttle.rate > 0) || throttle.burst < 1 {
            throw StoreError.invalid("a throttle needs a rate above 0 and a burst of at least 1 (got \(throttle.description))")
        }
        if let quota {
            guard quota.limit >= 1 else { throw StoreError.invalid("a quota needs a limit of at least 1 request (got \(quota.limit))") }
            guard (0..<quota.limit).contains(quota.offset) || quota.offset == 0 else {
                throw StoreError.invalid("a quota's offset is the requests taken off its first period: 0 to \(quota.limit - 1) (got \(quota.offset))")
            }
        }
    }

    static func summary(_ plan: UsagePlan) -> String {
        var parts = [plan.name]
        parts.append("throttle " + (plan.throttle?.description ?? "none"))
        parts.append("quota " + (plan.quota?.description ?? "none"))
        if !plan.apiStages.isEmpty { parts.append("stages " + plan.apiStages.map(\.label).joined(separator: ",")) }
        return parts.joined(separator: "; ")
    }
}
