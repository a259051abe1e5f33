import Foundation
import GatehouseCore
import GRDB

/// Changes the management API (and the CLI's create/update/delete verbs) make one entity at a time: each loads
/// what it changes, applies the change and writes it back in one short transaction, audited under the caller.
extension Store {
    /// Creates an empty API (its root resource `/` only), as AWS's CreateRestApi does.
    public func createApi(_ api: RestApi, actor: Actor) throws -> ApiDefinition {
        let definition = ApiDefinition(restApi: api, resources: [Resource(id: Identifiers.make(), parentId: nil, pathPart: "", path: "/")],
                                       authorizers: [])
        try write { db in
            guard try !Self.apiExists(db, api.id) else { throw StoreError.invalid("API \(api.id) exists already") }
            try RestApiRecord(api).insert(db)
            try Self.insertResources(db, apiId: api.id, resources: definition.resources)
            try Self.audit(db, actor: actor, action: "CreateRestApi", target: "restapis/\(api.id)", before: nil, after: Self.summary(definition))
        }
        return definition
    }

    /// Deletes an API with its resources, deployments and stages (and the mappings that name it).
    public func deleteApi(apiId: String, actor: Actor) throws {
        try write { db in
            guard let definition = try Self.loadDefinition(db, apiId: apiId) else { throw Self.apiNotFound(apiId) }
            try db.execute(sql: "DELETE FROM stage WHERE rest_api_id = ?", arguments: [apiId])
            try db.execute(sql: "DELETE FROM rest_api WHERE id = ?", arguments: [apiId])
            try Self.audit(db, actor: actor, action: "DeleteRestApi", target: "restapis/\(apiId)", before: Self.summary(definition), after: nil)
        }
    }

    /// Loads the API's definition, lets `change` alter it, and writes it back (resources and methods replaced,
    /// ids kept), audited as `action` on `target`; what `change` returns is returned.
    public func changeDefinition<T>(apiId: String, action: String, target: String, actor: Actor,
                                    _ change: (inout ApiDefinition) throws -> T) throws -> T {
        try write { db in
            guard var definition = try Self.loadDefinition(db, apiId: apiId) else { throw Self.apiNotFound(apiId) }
            let before = definition
            let result = try change(&definition)
            definition.restApi.id = apiId
            definition.restApi.createdDate = before.restApi.createdDate
            try Self.replaceDefinition(db, definition)
            try Self.audit(db, actor: actor, action: action, target: target, before: Self.summary(before), after: Self.summary(definition))
            return result
        }
    }

    /// Creates a stage on one of the API's deployments (AWS's CreateStage).
    public func createStage(_ stage: Stage, actor: Actor) throws {
        guard Self.isValidStageName(stage.stageName) else {
            throw StoreError.invalid("stage name '\(stage.stageName)' is invalid: use letters, digits, '-' and '_' (1–128 characters)")
        }
        try write { db in
            guard try Self.apiExists(db, stage.restApiId) else { throw Self.apiNotFound(stage.restApiId) }
            guard try Self.loadStage(db, apiId: stage.restApiId, stageName: stage.stageName) == nil else {
                throw StoreError.invalid("stage \(stage.stageName) of API \(stage.restApiId) exists already")
            }
            let record = try Self.requireDeployment(db, apiId: stage.restApiId, id: stage.deploymentId)
            try Self.refuseUnguarded(try record.deployment().snapshot, action: "create stage \(stage.stageName)")
            try Self.saveStage(db, stage)
            try Self.audit(db, actor: actor, action: "CreateStage", target: "restapis/\(stage.restApiId)/stages/\(stage.stageName)",
                           before: nil, after: "deployment \(stage.deploymentId)")
        }
    }

    /// Loads a stage, lets `change` alter it and saves it; a deployment it is moved to must be the API's, and
    /// every per-method setting must name a method the deployment serves.
    public func changeStage<T>(apiId: String, stageName: String, action: String, actor: Actor, _ change: (inout Stage) throws -> T) throws -> T {
        try write { db in
            var stage = try Self.existingStage(db, apiId: apiId, stageName: stageName)
            let before = stage
            let result = try change(&stage)
            stage.restApiId = apiId
            stage.stageName = stageName
            if stage.deploymentId != before.deploymentId {
                let record = try Self.requireDeployment(db, apiId: apiId, id: stage.deploymentId)
                try Self.refuseUnguarded(try record.deployment().snapshot, action: "move stage \(stageName) to deployment \(stage.deploymentId)")
            }
            for key in stage.methodSettings.keys where key != Stage.defaultSettingsKey && before.methodSettings[key] != stage.methodSettings[key] {
                try Self.requireServedMethod(db, stage: stage, methodKey: key)
            }
            stage.lastUpdatedDate = Date()
            try Self.saveStage(db, stage)
            try Self.audit(db, actor: actor, action: action, target: "restapis/\(apiId)/stages/\(stageName)",
                           before: try Self.json(StageSummary(before)), after: try Self.json(StageSummary(stage)))
            return result
        }
    }

    /// Freezes the API's draft into a deployment no stage uses yet (AWS's CreateDeployment without a stage name).
    public func createDeployment(apiId: String, description: String?, actor: Actor, now: Date = Date()) throws -> Deployment {
        try write { db in
            guard let definition = try Self.loadDefinition(db, apiId: apiId) else { throw Self.apiNotFound(apiId) }
            try Self.refuseUnguarded(definition, action: "deploy")
            let deployment = Deployment(id: Identifiers.make(), restApiId: apiId, description: description, createdDate: now, snapshot: definition)
            try DeploymentRecord(deployment).insert(db)
            try Self.audit(db, actor: actor, action: "CreateDeployment", target: "restapis/\(apiId)/deployments/\(deployment.id)",
                           before: nil, after: "deployment \(deployment.id)")
            return deployment
        }
    }

    /// Forgets the stage's kept custom-authorizer answers (AWS's FlushStageAuthorizersCache): the next call of each
    /// identity asks its authorizer again, in every worker within a second.
    public func flushStageAuthorizersCache(apiId: String, stageName: String, actor: Actor) throws {
        try changeStage(apiId: apiId, stageName: stageName, action: "FlushStageAuthorizersCache", actor: actor) { stage in
            stage.authorizerCacheGeneration = (stage.authorizerCacheGeneration ?? 0) + 1
        }
    }

    /// Deletes a stage.
    public func deleteStage(apiId: String, stageName: String, actor: Actor) throws {
        try write { db in
            let stage = try Self.existingStage(db, apiId: apiId, stageName: stageName)
            try db.execute(sql: "DELETE FROM stage WHERE rest_api_id = ? AND stage_name = ?", arguments: [apiId, stageName])
            try Self.audit(db, actor: actor, action: "DeleteStage", target: "restapis/\(apiId)/stages/\(stageName)",
                           before: "deployment \(stage.deploymentId)", after: nil)
        }
    }

    /// Deletes a deployment no stage points at (AWS refuses one that is active).
    public func deleteDeployment(apiId: String, deploymentId: String, actor: Actor) throws {
        try write { db in
            _ = try Self.requireDeployment(db, apiId: apiId, id: deploymentId)
            let active = try String.fetchAll(db, sql: "SELECT stage_name FROM stage WHERE deployment_id = ?", arguments: [deploymentId])
            guard active.isEmpty else {
                throw StoreError.invalid("Active stages pointing to this deployment must be moved or deleted (\(active.joined(separator: ", ")))")
            }
            try db.execute(sql: "DELETE FROM deployment WHERE id = ?", arguments: [deploymentId])
            try Self.audit(db, actor: actor, action: "DeleteDeployment", target: "restapis/\(apiId)/deployments/\(deploymentId)",
                           before: "deployment \(deploymentId)", after: nil)
        }
    }

    /// One deployment of the API, its snapshot included.
    public func deployment(apiId: String, id: String) throws -> Deployment {
        try read { db in
            guard try Self.apiExists(db, apiId) else { throw Self.apiNotFound(apiId) }
            return try Self.requireDeployment(db, apiId: apiId, id: id).deployment()
        }
    }

    /// What the audit log keeps of a stage before and after a change.
    struct StageSummary: Encodable {
        var deploymentId: String
        var description: String?
        var variables: [String: String]
        var methodSettings: [String: MethodSetting]
        var cache: StageCacheSettings?

        init(_ stage: Stage) {
            deploymentId = stage.deploymentId
            description = stage.description
            variables = stage.variables
            methodSettings = stage.methodSettings
            cache = stage.cache
        }
    }
}
