import Foundation
import GatehouseCore
import GatehouseStore

/// Deployment (Create with `stageName` and `variables`, Get, Gets, Delete), Stage (Create, Get, Gets, Update with
/// AWS's patch paths — variables, `deploymentId` for rollback, `*/*` and per-method throttling, caching and
/// logging, the cache cluster, access logs — Delete), FlushStageCache, and the Account's throttle.
enum StageOperations {
    static let table: [String: ManagementAPI.Operation] = [
        "CreateDeployment": createDeployment, "GetDeployment": getDeployment, "GetDeployments": getDeployments,
        "DeleteDeployment": deleteDeployment,
        "CreateStage": createStage, "GetStage": getStage, "GetStages": getStages, "UpdateStage": updateStage, "DeleteStage": deleteStage,
        "FlushStageCache": flushCache, "FlushStageAuthorizersCache": flushAuthorizers, "GetAccount": getAccount, "UpdateAccount": updateAccount,
    ]

    static func createDeployment(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("restapi_id")
        _ = try RestApiOperations.definition(call)
        let deployment: Deployment
        if let stageName = call.string("stageName"), !stageName.isEmpty {
            deployment = try call.store.deploy(apiId: id, stageName: stageName, description: call.string("description"),
                                               variables: call.stringMap("variables") ?? [:], actor: call.actor)
            if let stageDescription = call.string("stageDescription") {
                try call.store.changeStage(apiId: id, stageName: stageName, action: "UpdateStage(description)", actor: call.actor) {
                    $0.description = stageDescription
                }
            }
        } else {
            deployment = try call.store.createDeployment(apiId: id, description: call.string("description"), actor: call.actor)
        }
        return .json(ManagementShapes.deployment(deployment))
    }

    static func getDeployment(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(ManagementShapes.deployment(try call.store.deployment(apiId: call.variable("restapi_id"), id: call.variable("deployment_id"))))
    }

    static func getDeployments(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        _ = try RestApiOperations.definition(call)
        return .json(try call.page(try call.store.deployments(apiId: call.variable("restapi_id")).map(ManagementShapes.deployment)))
    }

    static func deleteDeployment(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try call.store.deleteDeployment(apiId: call.variable("restapi_id"), deploymentId: call.variable("deployment_id"), actor: call.actor)
        return .empty
    }

    static func createStage(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let id = call.variable("restapi_id")
        _ = try RestApiOperations.definition(call)
        var stage = Stage(restApiId: id, stageName: try call.requiredString("stageName"), deploymentId: try call.requiredString("deploymentId"),
                          description: call.string("description"), variables: call.stringMap("variables") ?? [:])
        if call.bool("cacheClusterEnabled") == true {
            stage.cache = StageCacheSettings(enabled: true, sizeMb: try cacheMegabytes(call.string("cacheClusterSize") ?? "0.5"))
        }
        try call.store.createStage(stage, actor: call.actor)
        return .json(ManagementShapes.stage(try call.store.existingStage(apiId: id, stageName: stage.stageName)))
    }

    /// A cache cluster size in AWS's gigabyte steps as the megabytes kept here.
    static func cacheMegabytes(_ size: String) throws -> Double {
        let sizes = ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"]
        guard sizes.contains(size), let gigabytes = Double(size) else {
            throw ManagementError.badRequest("cacheClusterSize must be one of \(sizes.joined(separator: ", "))")
        }
        return min(StageCacheSettings.sizeRange.upperBound, gigabytes * 1024)
    }

    static func getStage(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        .json(ManagementShapes.stage(try call.store.existingStage(apiId: call.variable("restapi_id"), stageName: call.variable("stage_name"))))
    }

    static func getStages(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        _ = try RestApiOperations.definition(call)
        var stages = try call.store.stages(apiId: call.variable("restapi_id"))
        if let deployment = call.query["deploymentId"] { stages = stages.filter { $0.deploymentId == deployment } }
        return .json(.object([("item", .array(stages.map(ManagementShapes.stage)))]))
    }

    static func deleteStage(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try call.store.deleteStage(apiId: call.variable("restapi_id"), stageName: call.variable("stage_name"), actor: call.actor)
        return .empty
    }

    static func flushCache(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try call.store.flushStageCache(apiId: call.variable("restapi_id"), stageName: call.variable("stage_name"), actor: call.actor)
        return .empty
    }

    static func flushAuthorizers(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        try call.store.flushStageAuthorizersCache(apiId: call.variable("restapi_id"), stageName: call.variable("stage_name"), actor: call.actor)
        return .empty
    }

    static func updateStage(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let operations = try call.patchOperations()
        let id = call.variable("restapi_id"), name = call.variable("stage_name")
        let updated = try call.store.changeStage(apiId: id, stageName: name, action: "UpdateStage", actor: call.actor) { stage -> Stage in
            for operation in operations { try apply(operation, to: &stage) }
            return stage
        }
        return .json(ManagementShapes.stage(updated))
    }

    /// One of UpdateStage's patch operations.
    static func apply(_ operation: PatchOperation, to stage: inout Stage) throws {
        let segments = operation.segments
        func number(_ text: String) throws -> Double {
            guard let value = Double(text), value >= 0, value.isFinite else { throw ManagementError.badRequest("'\(text)' is not a number of zero or more") }
            return value
        }
        switch (operation.op, segments.first ?? "", segments.count) {
        case (.replace, "description", 1): stage.description = operation.value
        case (.replace, "deploymentId", 1): stage.deploymentId = try operation.requiredValue()
        case (.replace, "clientCertificateId", 1): stage.clientCertificateId = operation.value.flatMap { $0.isEmpty ? nil : $0 }
        case (.add, "variables", 2), (.replace, "variables", 2): stage.variables[segments[1]] = try operation.requiredValue()
        case (.remove, "variables", 2): stage.variables[segments[1]] = nil
        case (.copy, "variables", 2), (.move, "variables", 2):
            // `from` names another variable (`/variables/old`): copied, or moved, to this one.
            guard let from = operation.from, let source = PatchOperation(op: .test, path: from, value: nil, from: nil).segments.last,
                  from.hasPrefix("/variables/"), let value = stage.variables[source] else {
                throw ManagementError.badRequest("\(operation.op.rawValue) \(operation.path) needs from: /variables/NAME naming a variable the stage has")
            }
            stage.variables[segments[1]] = value
            if operation.op == .move { stage.variables[source] = nil }
        case (.replace, "cacheClusterEnabled", 1):
            if try operation.requiredValue() == "true" {
                stage.cache = StageCacheSettings(enabled: true, sizeMb: stage.cache?.sizeMb ?? 512, flushGeneration: stage.cache?.flushGeneration ?? 0)
            } else {
                stage.cache?.enabled = false
            }
        case (.replace, "cacheClusterSize", 1):
            let megabytes = try cacheMegabytes(try operation.requiredValue())
            stage.cache = StageCacheSettings(enabled: stage.cache?.enabled ?? false, sizeMb: megabytes, flushGeneration: stage.cache?.flushGeneration ?? 0)
        case (.replace, "accessLogSettings", 2) where segments[1] == "format":
            var settings = stage.accessLogSettings ?? AccessLogSettings(format: "")
            settings.format = try operation.requiredValue()
            stage.accessLogSettings = settings
        case (.replace, "accessLogSettings", 2) where segments[1] == "destinationArn":
            var settings = stage.accessLogSettings ?? AccessLogSettings(format: AccessLogSettings.clf)
            settings.file = try operation.requiredValue()
            stage.accessLogSettings = settings
        case (.remove, "accessLogSettings", 1): stage.accessLogSettings = nil
        case (_, _, 4) where operation.op == .replace || operation.op == .add || operation.op == .remove:
            // `/{resource path}/{METHOD}/{group}/{setting}`, or `/*/*/…` for the stage default.
            let key = segments[0] == "*" && segments[1] == "*" ? Stage.defaultSettingsKey
                : Stage.methodSettingsKey(resourcePath: segments[0].hasPrefix("/") ? segments[0] : "/" + segments[0], httpMethod: segments[1].uppercased())
            var setting = stage.methodSettings[key] ?? MethodSetting()
            let value = operation.op == .remove ? nil : try operation.requiredValue()
            switch (segments[2], segments[3]) {
            case ("throttling", "rateLimit"): setting.throttlingRateLimit = try value.map(number)
            case ("throttling", "burstLimit"): setting.throttlingBurstLimit = try value.map { Int(try number($0)) }
            case ("caching", "enabled"): setting.cachingEnabled = value.map { $0 == "true" }
            case ("caching", "ttlInSeconds"):
                guard let seconds = value.flatMap(Int.init) ?? (value == nil ? 0 : nil), (0...3600).contains(seconds) else {
                    throw ManagementError.badRequest("caching/ttlInSeconds must be from 0 to 3600")
                }
                setting.cacheTtlInSeconds = value == nil ? nil : seconds
            case ("caching", "requireAuthorizationForCacheControl"): setting.requireAuthorizationForCacheControl = value.map { $0 == "true" }
            case ("logging", "loglevel"):
                guard let level = value.map({ ExecutionLoggingLevel(rawValue: $0.uppercased()) }) ?? .some(nil) else {
                    throw ManagementError.badRequest("logging/loglevel must be OFF, ERROR or INFO")
                }
                setting.loggingLevel = level
            case ("logging", "dataTrace"): setting.dataTraceEnabled = value.map { $0 == "true" }
            default: throw operation.unsupported()
            }
            stage.methodSettings[key] = setting == MethodSetting() ? nil : setting
        default:
            throw operation.unsupported()
        }
    }

    static func getAccount(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        let account = try call.store.account()
        return .json(ManagementShapes.object([
            ("throttleSettings", ManagementShapes.throttle(account.throttle)), ("features", ManagementShapes.list([])),
            ("apiKeyVersion", .string("4")),
        ]))
    }

    static func updateAccount(_ call: ManagementCall) throws -> ManagementAPI.Reply {
        var limit = try call.store.account().throttle
        for operation in try call.patchOperations() {
            switch (operation.op, operation.path) {
            case (.replace, "/throttle/rateLimit"), (.replace, "/throttleSettings/rateLimit"):
                guard let rate = Double(try operation.requiredValue()), rate >= 0 else { throw ManagementError.badRequest("rateLimit must be zero or more") }
                limit.rate = rate
            case (.replace, "/throttle/burstLimit"), (.replace, "/throttleSettings/burstLimit"):
                guard let burst = Int(try operation.requiredValue()), burst >= 0 else { throw ManagementError.badRequest("burstLimit must be zero or more") }
                limit.burst = burst
            default: throw operation.unsupported()
            }
        }
        try call.store.setAccountThrottle(limit, actor: call.actor)
        return try getAccount(call)
    }
}
