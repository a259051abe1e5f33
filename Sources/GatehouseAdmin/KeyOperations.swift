import Foundation
import GatehouseCore
import GatehouseStore

/// ApiKey (`includeValue`), ImportApiKeys (CSV), UsagePlan, UsagePlanKey and GetUsage, over the same store tables
/// the CLI's `key` and `plan` verbs write.
enum KeyOperations {
    static let table: [String: ManagementAPI.Operation] = [
        "CreateApiKey": createKey, "GetApiKey": getKey, "GetApiKeys": getKeys, "UpdateApiKey": updateKey, "DeleteApiKey": deleteKey,
        "ImportApiKeys": importKeys,
        "CreateUsagePlan": createPlan, "GetUsagePlan": getPlan, "GetUsagePlans": getPlans, "UpdateUsagePlan": updatePlan,
        "DeleteUsagePlan": deletePlan,
        "CreateUsagePlanKey": createPlanKey, "GetUsagePlanKey": getPlanKey, "GetUsagePlanKeys": getPlanKeys, "DeleteUsagePlanKey": deletePlanKey,
        "GetUsage": usage, "UpdateUsage": updateUsage,
    ]

    static func createKey(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let key = try call.store.createApiKey(name: call.string("name") ?? "", value: call.string("value"), description: call.string("description") ?? "",
                                              customerId: call.string("customerId"), enabled: call.bool("enabled") ?? false, actor: call.actor)
        return .json(ManagementShapes.apiKey(key, includeValue: true))
    }

    static func getKey(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let include = call.query["includeValue"] == "true"
        return .json(ManagementShapes.apiKey(try call.store.apiKey(id: call.variable("api_Key"), value: include), includeValue: include))
    }

    static func getKeys(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let include = call.query["includeValues"] == "true"
        var keys = try call.store.apiKeys(values: include)
        if let prefix = call.query["name"] { keys = keys.filter { $0.name.hasPrefix(prefix) } }
        if let customer = call.query["customerId"] { keys = keys.filter { $0.customerId == customer } }
        return .json(try call.page(keys.map { ManagementShapes.apiKey($0, includeValue: include) }))
    }

    static func updateKey(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("api_Key")
        for operation in try call.patchOperations() {
            switch (operation.op, operation.path) {
            case (.replace, "/enabled"): try call.store.setApiKeyEnabled(id: id, enabled: try operation.requiredValue() == "true", actor: call.actor)
            default: throw operation.unsupported()
            }
        }
        return .json(ManagementShapes.apiKey(try call.store.apiKey(id: id), includeValue: false))
    }

    static func deleteKey(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try call.store.deleteApiKey(id: call.variable("api_Key"), actor: call.actor)
        return .empty
    }

    static func importKeys(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        guard call.query["format"] == "csv" else { throw ManagementError.badRequest("format must be csv") }
        let rows = try ApiKeyImport.parse(String(decoding: call.body, as: UTF8.self))
        let keys = try call.store.importApiKeys(rows, actor: call.actor)
        return .jsonStatus(201, .object([("ids", ManagementShapes.list(keys.map(\.id))), ("warnings", ManagementShapes.list([]))]))
    }

    // MARK: Usage plans

    static func throttle(_ value: Any?) throws -> ThrottleLimit? {
        guard let object = value as? [String: Any] else { return nil }
        guard let rate = (object["rateLimit"] as? NSNumber)?.doubleValue, let burst = (object["burstLimit"] as? NSNumber)?.intValue else {
            throw ManagementError.badRequest("a throttle needs rateLimit and burstLimit")
        }
        return ThrottleLimit(rate: rate, burst: burst)
    }

    static func quota(_ value: Any?) throws -> QuotaSettings? {
        guard let object = value as? [String: Any] else { return nil }
        guard let limit = (object["limit"] as? NSNumber)?.intValue, let period = (object["period"] as? String).flatMap(QuotaPeriod.init(rawValue:)) else {
            throw ManagementError.badRequest("a quota needs limit and period (DAY, WEEK or MONTH)")
        }
        return QuotaSettings(limit: limit, period: period, offset: (object["offset"] as? NSNumber)?.intValue ?? 0)
    }

    static func createPlan(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        var stages: [UsagePlanStage] = []
        for item in call.json["apiStages"] as? [[String: Any]] ?? [] {
            guard let apiId = item["apiId"] as? String, let stage = item["stage"] as? String else {
                throw ManagementError.badRequest("each apiStage needs apiId and stage")
            }
            var limits: [String: ThrottleLimit] = [:]
            for (key, value) in item["throttle"] as? [String: Any] ?? [:] {
                if let limit = try throttle(value) { limits[key.hasPrefix("/") ? key : "/" + key] = limit }
            }
            stages.append(UsagePlanStage(apiId: apiId, stage: stage, throttle: limits))
        }
        let plan = try call.store.createUsagePlan(name: call.string("name") ?? "", description: call.string("description") ?? "",
                                                  throttle: try throttle(call.json["throttle"]), quota: try quota(call.json["quota"]),
                                                  stages: stages, actor: call.actor)
        return .json(ManagementShapes.usagePlan(plan))
    }

    static func getPlan(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(ManagementShapes.usagePlan(try call.store.usagePlan(id: call.variable("usageplanId"))))
    }

    static func getPlans(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        var plans = try call.store.usagePlans()
        if let keyId = call.query["keyId"] { plans = try plans.filter { try call.store.planKeys(planId: $0.id).contains { $0.id == keyId } } }
        return .json(try call.page(plans.map(ManagementShapes.usagePlan)))
    }

    static func updatePlan(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("usageplanId")
        let current = try call.store.usagePlan(id: id)
        var change = Store.PlanUpdate()
        var rate = current.throttle?.rate, burst = current.throttle?.burst
        var limit = current.quota?.limit, period = current.quota?.period, offset = current.quota?.offset ?? 0
        var throttleTouched = false, quotaTouched = false
        for operation in try call.patchOperations() {
            let segments = operation.segments
            switch (operation.op, segments.first ?? "", segments.count) {
            case (.replace, "name", 1): change.name = try operation.requiredValue()
            case (.replace, "description", 1): change.description = operation.value ?? ""
            case (.replace, "throttle", 2) where segments[1] == "rateLimit":
                rate = Double(try operation.requiredValue()); throttleTouched = true
            case (.replace, "throttle", 2) where segments[1] == "burstLimit":
                burst = Int(try operation.requiredValue()); throttleTouched = true
            case (.remove, "throttle", 1): change.throttle = .some(nil)
            case (.replace, "quota", 2) where segments[1] == "limit": limit = Int(try operation.requiredValue()); quotaTouched = true
            case (.replace, "quota", 2) where segments[1] == "period": period = QuotaPeriod(rawValue: try operation.requiredValue()); quotaTouched = true
            case (.replace, "quota", 2) where segments[1] == "offset": offset = Int(try operation.requiredValue()) ?? 0; quotaTouched = true
            case (.remove, "quota", 1): change.quota = .some(nil)
            case (.add, "apiStages", 1), (.remove, "apiStages", 1):
                let parts = try operation.requiredValue().split(separator: ":").map(String.init)
                guard parts.count == 2 else { throw ManagementError.badRequest("an apiStages value is API_ID:STAGE") }
                if operation.op == .add {
                    change.addStages.append(UsagePlanStage(apiId: parts[0], stage: parts[1]))
                } else {
                    change.removeStages.append(UsagePlanStage(apiId: parts[0], stage: parts[1]))
                }
            default: throw operation.unsupported()
            }
        }
        if throttleTouched {
            guard let rate, let burst else { throw ManagementError.badRequest("a throttle needs both rateLimit and burstLimit") }
            change.throttle = .some(ThrottleLimit(rate: rate, burst: burst))
        }
        if quotaTouched {
            guard let limit, let period else { throw ManagementError.badRequest("a quota needs both limit and period") }
            change.quota = .some(QuotaSettings(limit: limit, period: period, offset: offset))
        }
        return .json(ManagementShapes.usagePlan(try call.store.updateUsagePlan(id: id, change, actor: call.actor)))
    }

    static func deletePlan(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try call.store.deleteUsagePlan(id: call.variable("usageplanId"), actor: call.actor)
        return .empty
    }

    static func planKey(_ key: ApiKey) -> DocValue {
        ManagementShapes.object([("id", .string(key.id)), ("type", .string("API_KEY")), ("name", .string(key.name)),
                                 ("value", key.value.map(DocValue.string))])
    }

    static func createPlanKey(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let planId = call.variable("usageplanId"), keyId = try call.requiredString("keyId")
        guard (call.string("keyType") ?? "API_KEY") == "API_KEY" else { throw ManagementError.badRequest("keyType must be API_KEY") }
        try call.store.addKeyToPlan(planId: planId, keyId: keyId, actor: call.actor)
        return .json(planKey(try call.store.apiKey(id: keyId, value: true)))
    }

    static func getPlanKey(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let keyId = call.variable("keyId")
        guard try call.store.planKeys(planId: call.variable("usageplanId")).contains(where: { $0.id == keyId }) else {
            throw ManagementError.notFound("Invalid Usage Plan Key identifier specified")
        }
        return .json(planKey(try call.store.apiKey(id: keyId, value: true)))
    }

    static func getPlanKeys(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let keys = try call.store.planKeys(planId: call.variable("usageplanId"), values: true)
        return .json(try call.page(keys.map(planKey)))
    }

    static func deletePlanKey(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try call.store.removeKeyFromPlan(planId: call.variable("usageplanId"), keyId: call.variable("keyId"), actor: call.actor)
        return .empty
    }

    /// `replace /remaining`: what the key has left of its quota this period.
    static func updateUsage(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let planId = call.variable("usageplanId"), keyId = call.variable("keyId")
        for operation in try call.patchOperations() {
            guard operation.op == .replace, operation.path == "/remaining", let remaining = Int(try operation.requiredValue()) else {
                throw operation.unsupported()
            }
            try call.store.setRemainingQuota(planId: planId, keyId: keyId, remaining: remaining, actor: call.actor)
        }
        let plan = try call.store.usagePlan(id: planId)
        let now = Date()
        let from = UsageDay.string(plan.quotaPeriodStart(at: now) ?? now), today = UsageDay.string(now)
        let used = try call.store.keyUsage(fromDay: from, toDay: today, planId: planId, keyId: keyId).reduce(0) { $0 + $1.used }
        let left = max(0, (plan.quota?.limit ?? 0) - used)
        return .json(.object([("usagePlanId", .string(planId)), ("startDate", .string(from)), ("endDate", .string(today)),
                              ("values", .object([(keyId, .array([.array([.int(max(0, used)), .int(left)])]))]))]))
    }

    /// Calls per key per day in `startDate…endDate`, each day `[used, remaining]` (remaining: what the quota
    /// leaves after the days so far, as AWS reports it).
    static func usage(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let planId = call.variable("usageplanId")
        let plan = try call.store.usagePlan(id: planId)
        guard let start = call.query["startDate"], let end = call.query["endDate"] else {
            throw ManagementError.badRequest("GetUsage needs startDate and endDate (YYYY-MM-DD)")
        }
        let rows = try call.store.keyUsage(fromDay: start, toDay: end, planId: planId, keyId: call.query["keyId"])
        var days: [String] = []
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        guard var day = formatter.date(from: start), let last = formatter.date(from: end), day <= last else {
            throw ManagementError.badRequest("startDate and endDate must be YYYY-MM-DD, start before end")
        }
        while day <= last, days.count < 366 {
            days.append(formatter.string(from: day))
            day = day.addingTimeInterval(86_400)
        }
        var items: [(String, DocValue)] = []
        for keyId in Set(rows.map(\.keyId)).sorted() {
            var remaining = plan.quota?.limit ?? 0
            let used = Dictionary(rows.filter { $0.keyId == keyId }.map { ($0.day, $0.used) }, uniquingKeysWith: +)
            items.append((keyId, .array(days.map { day in
                let count = used[day] ?? 0
                remaining = max(0, remaining - count)
                return .array([.int(max(0, count)), .int(plan.quota == nil ? 0 : remaining)])
            })))
        }
        return .json(.object([("usagePlanId", .string(planId)), ("startDate", .string(start)), ("endDate", .string(end)),
                              ("values", .object(items))]))
    }
}
