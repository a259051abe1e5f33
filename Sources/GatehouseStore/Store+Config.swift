import Foundation
import GatehouseCore
import GRDB

/// Who makes a change, for the audit log.
public struct Actor: Sendable {
    public var name: String
    /// `cli`, `console`, `admin-api`, …
    public var source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }

    /// The current user acting through `source`.
    public static func current(source: String) -> Actor {
        Actor(name: userName, source: source)
    }

    /// `$USER`, else the login name of the process's user from the passwd entry (a service or a container often
    /// has no `$USER`), else the numeric uid.
    public static var userName: String {
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }
}

/// How an import meets an API that already exists.
public enum ImportMode: String, Sendable, CaseIterable {
    /// Replace the API's resources and methods with the document's.
    case overwrite
    /// Add the document's resources and methods; same path and verb replaces.
    case merge
}

extension Store {
    // MARK: APIs

    /// Writes an imported API: a new one, or into `definition.restApi.id` when it exists, as `mode` says.
    public func putApi(_ definition: ApiDefinition, mode: ImportMode, actor: Actor, action: String? = nil) throws {
        try write { db in
            let existing = try Self.loadDefinition(db, apiId: definition.restApi.id)
            var target = definition
            if let existing {
                target.restApi.createdDate = existing.restApi.createdDate
                if mode == .merge { target = Self.merged(existing, with: definition) }
                // A document without an endpoint configuration keeps the one the API has (set by `api endpoint`).
                target.restApi.endpointType = target.restApi.endpointType ?? existing.restApi.endpointType
                try Self.replaceDefinition(db, target)
            } else {
                try RestApiRecord(target.restApi).insert(db)
                try Self.insertResources(db, apiId: target.restApi.id, resources: target.resources)
                for authorizer in target.authorizers { try Self.insertAuthorizer(db, apiId: target.restApi.id, authorizer) }
            }
            try Self.audit(db, actor: actor, action: action ?? (existing == nil ? "CreateRestApi" : "PutRestApi(\(mode.rawValue))"),
                           target: "restapis/\(target.restApi.id)",
                           before: existing.map { Self.summary($0) }, after: Self.summary(target))
        }
    }

    /// Writes an existing API's row, resources, methods and authorizers as `definition` has them (ids kept).
    static func replaceDefinition(_ db: Database, _ definition: ApiDefinition) throws {
        let apiId = definition.restApi.id
        try RestApiRecord(definition.restApi).update(db)
        try db.execute(sql: "DELETE FROM resource WHERE rest_api_id = ?", arguments: [apiId])
        try insertResources(db, apiId: apiId, resources: definition.resources)
        try db.execute(sql: "DELETE FROM authorizer WHERE rest_api_id = ?", arguments: [apiId])
        for authorizer in definition.authorizers { try insertAuthorizer(db, apiId: apiId, authorizer) }
    }

    /// The API's deployment `id`, or an error naming what is missing.
    static func requireDeployment(_ db: Database, apiId: String, id: String) throws -> DeploymentRecord {
        guard let record = try DeploymentRecord.fetchOne(db, key: id), record.restApiId == apiId else {
            throw StoreError.notFound(what: "deployment \(id) of API \(apiId)", hint: "list them with `gatehouse deployments --api \(apiId)`")
        }
        return record
    }

    static func merged(_ existing: ApiDefinition, with incoming: ApiDefinition) -> ApiDefinition {
        var byPath = Dictionary(uniqueKeysWithValues: existing.resources.map { ($0.path, $0) })
        for resource in incoming.resources {
            if var current = byPath[resource.path] {
                for (verb, method) in resource.resourceMethods { current.resourceMethods[verb] = method }
                byPath[resource.path] = current
            } else {
                var added = resource
                if let parentPath = Self.parentPath(resource.path) { added.parentId = byPath[parentPath]?.id ?? resource.parentId }
                byPath[resource.path] = added
            }
        }
        var api = existing.restApi
        api.name = incoming.restApi.name
        api.description = incoming.restApi.description ?? api.description
        api.version = incoming.restApi.version ?? api.version
        api.policy = incoming.restApi.policy ?? api.policy
        api.documentation = incoming.restApi.documentation ?? api.documentation
        api.binaryMediaTypes = incoming.restApi.binaryMediaTypes ?? api.binaryMediaTypes
        api.minimumCompressionSize = incoming.restApi.minimumCompressionSize ?? api.minimumCompressionSize
        api.tags = incoming.restApi.tags ?? api.tags
        api.basePath = incoming.restApi.basePath ?? api.basePath
        api.endpointType = incoming.restApi.endpointType ?? api.endpointType
        if let incomingModels = incoming.restApi.models {
            api.models = (api.models ?? [:]).merging(incomingModels) { _, new in new }
        }
        if let incomingValidators = incoming.restApi.requestValidators {
            api.requestValidators = (api.requestValidators ?? [:]).merging(incomingValidators) { _, new in new }
        }
        api.defaultRequestValidator = incoming.restApi.defaultRequestValidator ?? api.defaultRequestValidator
        if let incomingResponses = incoming.restApi.gatewayResponses {
            api.gatewayResponses = (api.gatewayResponses ?? [:]).merging(incomingResponses) { _, new in new }
        }
        // Authorizers merge by name: an incoming one replaces the existing one of that name (keeping its id, so
        // methods that name it stay guarded by it).
        var authorizers = Dictionary(uniqueKeysWithValues: existing.authorizers.map { ($0.name, $0) })
        var renamed: [String: String] = [:]
        for var authorizer in incoming.authorizers {
            if let current = authorizers[authorizer.name] {
                renamed[authorizer.id] = current.id
                authorizer.id = current.id
            }
            authorizers[authorizer.name] = authorizer
        }
        var resources = Array(byPath.values)
        for index in resources.indices {
            for (verb, method) in resources[index].resourceMethods {
                if let id = method.authorizerId, let kept = renamed[id] { resources[index].resourceMethods[verb]?.authorizerId = kept }
            }
        }
        return ApiDefinition(restApi: api, resources: resources, authorizers: Array(authorizers.values))
    }

    static func parentPath(_ path: String) -> String? {
        guard path != "/" else { return nil }
        let trimmed = path.split(separator: "/").dropLast().joined(separator: "/")
        return "/" + trimmed
    }

    static func insertResources(_ db: Database, apiId: String, resources: [Resource]) throws {
        for resource in resources.sorted(by: { $0.path.count < $1.path.count }) {
            try db.execute(sql: "INSERT INTO resource (id, rest_api_id, parent_id, path_part, path) VALUES (?, ?, ?, ?, ?)",
                           arguments: [resource.id, apiId, resource.parentId, resource.pathPart, resource.path])
            for (verb, method) in resource.resourceMethods {
                try db.execute(sql: "INSERT INTO method (resource_id, http_method, definition) VALUES (?, ?, ?)",
                               arguments: [resource.id, verb, try json(method)])
            }
        }
    }

    static func summary(_ definition: ApiDefinition) -> String {
        let methods = definition.methods.map { "\($0.method.httpMethod) \($0.path)" }
        return "\(definition.restApi.name): \(methods.count) methods [\(methods.joined(separator: ", "))]"
    }

    /// The draft (not yet deployed) definition of an API.
    /// The API's draft, or the error a command reports when there is no such API.
    public func existingDefinition(apiId: String) throws -> ApiDefinition {
        guard let definition = try definition(apiId: apiId) else { throw StoreError.notFound(what: "API \(apiId)", hint: "`gatehouse apis` lists them") }
        return definition
    }

    public func definition(apiId: String) throws -> ApiDefinition? {
        try read { db in try Self.loadDefinition(db, apiId: apiId) }
    }

    static func loadDefinition(_ db: Database, apiId: String) throws -> ApiDefinition? {
        guard let api = try RestApiRecord.fetchOne(db, key: apiId)?.restApi else { return nil }
        var resources: [String: Resource] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT * FROM resource WHERE rest_api_id = ?", arguments: [apiId]) {
            resources[r["id"]] = Resource(id: r["id"], parentId: r["parent_id"], pathPart: r["path_part"], path: r["path"])
        }
        let methods = try Row.fetchAll(db, sql: """
            SELECT method.* FROM method JOIN resource ON resource.id = method.resource_id WHERE resource.rest_api_id = ?
            """, arguments: [apiId])
        for m in methods {
            let resourceId: String = m["resource_id"]
            resources[resourceId]?.resourceMethods[m["http_method"]] = try decode(Method.self, m["definition"])
        }
        let authorizers = try String.fetchAll(db, sql: "SELECT definition FROM authorizer WHERE rest_api_id = ?", arguments: [apiId])
            .map { try decode(Authorizer.self, $0) }
        return ApiDefinition(restApi: api, resources: Array(resources.values), authorizers: authorizers)
    }

    /// Marks one method of an API as requiring an API key (or not). Like an import, it reaches callers with the
    /// next deploy.
    public func setMethodApiKeyRequired(apiId: String, resourcePath: String, verb: String, required: Bool, actor: Actor) throws {
        try updateMethod(apiId: apiId, resourcePath: resourcePath, verb: verb, action: "UpdateMethod(apiKeyRequired)", actor: actor) { method in
            let before = String(method.apiKeyRequired)
            method.apiKeyRequired = required
            return (before, String(required))
        }
    }

    /// Sets how callers of a method are authorized: `NONE` or `AWS_IAM` (SigV4-signed with a credential from
    /// `gatehouse credentials`). Authorizer types come with their authorizers.
    public func setMethodAuthorizationType(apiId: String, resourcePath: String, verb: String, type: String, actor: Actor) throws {
        let type = type.uppercased()
        guard ["NONE", "AWS_IAM"].contains(type) else {
            throw StoreError.invalid("authorization type '\(type)' cannot be set here: use NONE or AWS_IAM, or --authorizer ID for a JWT or custom authorizer")
        }
        try updateMethod(apiId: apiId, resourcePath: resourcePath, verb: verb, action: "UpdateMethod(authorizationType)", actor: actor) { method in
            let before = method.authorizationType
            method.authorizationType = type
            method.authorizerId = nil
            method.authorizationScopes = nil
            return (before, type)
        }
    }

    /// Sets the request parameters that key the method's cached answers (its integration's `cacheKeyParameters`).
    public func setMethodCacheKeys(apiId: String, resourcePath: String, verb: String, parameters: [String], actor: Actor) throws {
        if let bad = parameters.first(where: { !CachePolicy.isCacheKeyParameter($0) }) {
            throw StoreError.invalid("'\(bad)' cannot key a cache: use method.request.path.NAME, method.request.querystring.NAME or method.request.header.NAME")
        }
        try updateMethod(apiId: apiId, resourcePath: resourcePath, verb: verb, action: "UpdateIntegration(cacheKeyParameters)", actor: actor) { method in
            guard var integration = method.methodIntegration else {
                throw StoreError.invalid("\(verb.uppercased()) \(resourcePath) has no integration, so nothing of it is cached")
            }
            let before = (integration.cacheKeyParameters ?? []).joined(separator: ",")
            integration.cacheKeyParameters = parameters.isEmpty ? nil : parameters
            method.methodIntegration = integration
            return (before.isEmpty ? "none" : before, parameters.isEmpty ? "none" : parameters.joined(separator: ","))
        }
    }

    /// Names the request validator a method uses (nil: the API's default).
    public func setMethodRequestValidator(apiId: String, resourcePath: String, verb: String, name: String?, actor: Actor) throws {
        if let name, try read({ db in try RestApiRecord.fetchOne(db, key: apiId) })?.restApi.requestValidators?[name] == nil {
            throw StoreError.notFound(what: "request validator '\(name)' of API \(apiId)", hint: "`gatehouse validator list --api \(apiId)` shows them")
        }
        try updateMethod(apiId: apiId, resourcePath: resourcePath, verb: verb, action: "UpdateMethod(requestValidatorId)", actor: actor) { method in
            let before = method.requestValidatorName ?? "default"
            method.requestValidatorName = name
            return (before, name ?? "default")
        }
    }

    /// Adds or replaces one of the API's request validators (`makeDefault`: methods that name none use it).
    public func putRequestValidator(apiId: String, _ validator: RequestValidator, makeDefault: Bool, actor: Actor) throws {
        guard !validator.name.isEmpty else { throw StoreError.invalid("a request validator needs a name (--name)") }
        try write { db in
            guard var record = try RestApiRecord.fetchOne(db, key: apiId) else { throw Self.apiNotFound(apiId) }
            var api = record.restApi
            let before = api.requestValidators?[validator.name]
            api.requestValidators = (api.requestValidators ?? [:]).merging([validator.name: validator]) { _, new in new }
            if makeDefault { api.defaultRequestValidator = validator.name }
            record.requestValidators = RestApiRecord(api).requestValidators
            try record.update(db)
            func text(_ v: RequestValidator?) -> String {
                v.map { "body \($0.validateRequestBody), parameters \($0.validateRequestParameters)" } ?? "none"
            }
            try Self.audit(db, actor: actor, action: "PutRequestValidator", target: "restapis/\(apiId)/requestvalidators/\(validator.name)",
                           before: text(before), after: text(validator) + (makeDefault ? ", default" : ""))
        }
    }

    /// Changes one stored method (`change` returns what to audit as before and after).
    func updateMethod(apiId: String, resourcePath: String, verb: String, action: String, actor: Actor,
                      _ change: (inout Method) throws -> (String, String)) throws {
        try write { db in
            guard try Self.apiExists(db, apiId) else { throw Self.apiNotFound(apiId) }
            guard let row = try Row.fetchOne(db, sql: """
                SELECT method.resource_id, method.definition FROM method JOIN resource ON resource.id = method.resource_id
                WHERE resource.rest_api_id = ? AND resource.path = ? AND method.http_method = ?
                """, arguments: [apiId, resourcePath, verb.uppercased()]) else {
                throw StoreError.notFound(what: "method '\(verb.uppercased()) \(resourcePath)' of API \(apiId)",
                                          hint: "`gatehouse export --api \(apiId)` shows its methods")
            }
            var method = try Self.decode(Method.self, row[1])
            let (before, after) = try change(&method)
            try db.execute(sql: "UPDATE method SET definition = ? WHERE resource_id = ? AND http_method = ?",
                           arguments: [try Self.json(method), row[0] as String, verb.uppercased()])
            try Self.audit(db, actor: actor, action: action, target: "restapis/\(apiId)/\(verb.uppercased()) \(resourcePath)", before: before, after: after)
        }
    }

    /// Where an API's methods read their key: `HEADER` (`x-api-key`) or `AUTHORIZER`.
    public func setApiKeySource(apiId: String, source: ApiKeySource, actor: Actor) throws {
        try write { db in
            guard let before = try String.fetchOne(db, sql: "SELECT api_key_source FROM rest_api WHERE id = ?", arguments: [apiId]) else {
                throw Self.apiNotFound(apiId)
            }
            try db.execute(sql: "UPDATE rest_api SET api_key_source = ? WHERE id = ?", arguments: [source.rawValue, apiId])
            try Self.audit(db, actor: actor, action: "UpdateRestApi(apiKeySource)", target: "restapis/\(apiId)", before: before, after: source.rawValue)
        }
    }

    /// Every API, newest first.
    public func restApis() throws -> [RestApi] {
        try read { db in
            try RestApiRecord.order(RestApiRecord.Columns.createdDate.desc).fetchAll(db).map(\.restApi)
        }
    }

    // MARK: Deployments and stages

    /// Freezes the API's current definition into a deployment and points `stageName` at it (creating the stage).
    @discardableResult
    public func deploy(apiId: String, stageName: String, description: String?, variables: [String: String],
                       actor: Actor, now: Date = Date()) throws -> Deployment {
        guard Self.isValidStageName(stageName) else {
            throw StoreError.invalid("stage name '\(stageName)' is invalid: use letters, digits, '-' and '_' (1–128 characters)")
        }
        return try write { db in
            guard let definition = try Self.loadDefinition(db, apiId: apiId) else { throw Self.apiNotFound(apiId) }
            try Self.refuseUnguarded(definition, action: "deploy")
            let deployment = Deployment(id: Identifiers.make(), restApiId: apiId, description: description,
                                        createdDate: now, snapshot: definition)
            try DeploymentRecord(deployment).insert(db)
            let before = try Self.loadStage(db, apiId: apiId, stageName: stageName)
            var stage = before ?? Stage(restApiId: apiId, stageName: stageName, deploymentId: deployment.id, createdDate: now)
            stage.deploymentId = deployment.id
            stage.lastUpdatedDate = now
            for (key, value) in variables { stage.variables[key] = value }
            try Self.saveStage(db, stage)
            try Self.audit(db, actor: actor, action: "CreateDeployment", target: "restapis/\(apiId)/stages/\(stageName)",
                           before: before.map { "deployment \($0.deploymentId)" },
                           after: "deployment \(deployment.id)" + (variables.isEmpty ? "" : " variables \(try Self.json(stage.variables))"))
            return deployment
        }
    }

    /// Fail closed: a definition with a method whose protection the worker cannot enforce is not put on a stage.
    static func refuseUnguarded(_ definition: ApiDefinition, action: String) throws {
        let problems = MethodProtection.problems(in: definition)
        guard !problems.isEmpty else { return }
        let list = problems.map { "\($0.method): \($0.reason)" }.joined(separator: "; ")
        throw StoreError.invalid("cannot \(action): \(problems.count == 1 ? "a method" : "\(problems.count) methods") would be served unguarded — \(list). "
                                 + "Change the method (authorization NONE, or apiKeySource HEADER) and import again; nothing was deployed")
    }

    static func isValidStageName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128 && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    }

    /// The API's deployments, newest first, without their snapshots' bodies mattering to the caller.
    public func deployments(apiId: String) throws -> [Deployment] {
        try read { db in
            guard try Self.apiExists(db, apiId) else { throw Self.apiNotFound(apiId) }
            return try DeploymentRecord.newestFirst(apiId: apiId).fetchAll(db).map { try $0.deployment() }
        }
    }

    static func apiExists(_ db: Database, _ apiId: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM rest_api WHERE id = ?)", arguments: [apiId]) ?? false
    }

    /// Points a stage back (or forward) at one of the API's deployments.
    public func rollback(apiId: String, stageName: String, to deploymentId: String, actor: Actor) throws {
        try write { db in
            var stage = try Self.existingStage(db, apiId: apiId, stageName: stageName)
            let record = try Self.requireDeployment(db, apiId: apiId, id: deploymentId)
            try Self.refuseUnguarded(try record.deployment().snapshot, action: "roll back to deployment \(deploymentId)")
            let before = stage.deploymentId
            stage.deploymentId = deploymentId
            stage.lastUpdatedDate = Date()
            try Self.saveStage(db, stage)
            try Self.audit(db, actor: actor, action: "UpdateStage(rollback)", target: "restapis/\(apiId)/stages/\(stageName)",
                           before: "deployment \(before)", after: "deployment \(deploymentId)")
        }
    }

    /// The API's stages (or every API's, with `nil`).
    public func stages(apiId: String? = nil) throws -> [Stage] {
        try read { db in
            var request = StageRecord.order(StageRecord.Columns.restApiId, StageRecord.Columns.stageName)
            if let apiId {
                guard try Self.apiExists(db, apiId) else { throw Self.apiNotFound(apiId) }
                request = request.filter(StageRecord.Columns.restApiId == apiId)
            }
            return try request.fetchAll(db).map { try $0.stage() }
        }
    }

    public func stage(apiId: String, stageName: String) throws -> Stage? {
        try read { db in try Self.loadStage(db, apiId: apiId, stageName: stageName) }
    }

    /// The stage, or an error naming what is missing: the API first, then the stage.
    public func existingStage(apiId: String, stageName: String) throws -> Stage {
        try read { db in try Self.existingStage(db, apiId: apiId, stageName: stageName) }
    }

    static func existingStage(_ db: Database, apiId: String, stageName: String) throws -> Stage {
        guard try apiExists(db, apiId) else { throw apiNotFound(apiId) }
        guard let stage = try loadStage(db, apiId: apiId, stageName: stageName) else {
            throw StoreError.notFound(what: "stage \(stageName) of API \(apiId)",
                                      hint: "list stages with `gatehouse stages --api \(apiId)`, or create it with `gatehouse deploy --api \(apiId) --stage \(stageName)`")
        }
        return stage
    }

    /// The API, or an error naming it as missing.
    public func requireApi(_ apiId: String) throws {
        try read { db in
            guard try Self.apiExists(db, apiId) else { throw Self.apiNotFound(apiId) }
        }
    }

    /// The method (`/path/VERB`) is one the stage's deployment serves, or an error listing those it does,
    /// spelled `GET /pets`; the API and the stage are checked first.
    public func requireServedMethod(apiId: String, stageName: String, methodKey: String) throws {
        try read { db in
            try Self.requireServedMethod(db, stage: try Self.existingStage(db, apiId: apiId, stageName: stageName), methodKey: methodKey)
        }
    }

    static func requireServedMethod(_ db: Database, stage: Stage, methodKey: String) throws {
        let snapshot = try DeploymentRecord.fetchOne(db, key: stage.deploymentId)?.deployment().snapshot
        let known = Set(snapshot?.methods.map { Stage.methodSettingsKey(resourcePath: $0.path, httpMethod: $0.method.httpMethod) } ?? [])
        guard known.contains(methodKey) else {
            throw StoreError.notFound(what: "method '\(Stage.methodLabel(settingsKey: methodKey))' in stage \(stage.stageName) of API \(stage.restApiId)",
                                      hint: "the stage serves: \(known.sorted().map { Stage.methodLabel(settingsKey: $0) }.joined(separator: ", "))")
        }
    }

    static func apiNotFound(_ apiId: String) -> StoreError {
        StoreError.notFound(what: "API \(apiId)", hint: "list APIs with `gatehouse apis`")
    }

    static func loadStage(_ db: Database, apiId: String, stageName: String) throws -> Stage? {
        try StageRecord.fetchOne(db, key: ["rest_api_id": apiId, "stage_name": stageName])?.stage()
    }

    /// Inserts the stage, or updates every column of it but its creation date.
    static func saveStage(_ db: Database, _ stage: Stage) throws {
        var record = try StageRecord(stage)
        if let existing = try StageRecord.fetchOne(db, key: ["rest_api_id": stage.restApiId, "stage_name": stage.stageName]) {
            record.createdDate = existing.createdDate
            try record.update(db)
        } else {
            try record.insert(db)
        }
    }

    // MARK: Throttles

    /// Sets (or with `nil`, removes) a stage throttle: `methodKey` is `*/*` or `/path/VERB`.
    public func setStageThrottle(apiId: String, stageName: String, methodKey: String, limit: ThrottleLimit?, actor: Actor) throws {
        if let limit {
            guard limit.rate >= 0, limit.rate.isFinite, limit.burst >= 0 else {
                throw StoreError.invalid("rate and burst must be zero or more (got rate \(limit.rate), burst \(limit.burst))")
            }
        }
        try write { db in
            var stage = try Self.existingStage(db, apiId: apiId, stageName: stageName)
            if methodKey != Stage.defaultSettingsKey { try Self.requireServedMethod(db, stage: stage, methodKey: methodKey) }
            let before = stage.methodSettings[methodKey]?.throttle
            var setting = stage.methodSettings[methodKey] ?? MethodSetting()
            setting.throttlingRateLimit = limit?.rate
            setting.throttlingBurstLimit = limit?.burst
            stage.methodSettings[methodKey] = setting == MethodSetting() ? nil : setting
            stage.lastUpdatedDate = Date()
            try Self.saveStage(db, stage)
            try Self.audit(db, actor: actor, action: "UpdateStage(throttle)",
                           target: "restapis/\(apiId)/stages/\(stageName) \(Stage.methodLabel(settingsKey: methodKey))",
                           before: before?.description ?? "none", after: limit?.description ?? "none")
        }
    }

    /// Sets a stage's access-log settings (`nil` turns the formatted log off) and/or its execution logging.
    public func setStageLogging(apiId: String, stageName: String, accessLog: AccessLogSettings??, level: ExecutionLoggingLevel?,
                                dataTrace: Bool?, actor: Actor) throws {
        try write { db in
            var stage = try Self.existingStage(db, apiId: apiId, stageName: stageName)
            let before = Self.loggingSummary(stage)
            if let accessLog { stage.accessLogSettings = accessLog }
            var defaults = stage.methodSettings[Stage.defaultSettingsKey] ?? MethodSetting()
            if let level { defaults.loggingLevel = level }
            if let dataTrace { defaults.dataTraceEnabled = dataTrace }
            stage.methodSettings[Stage.defaultSettingsKey] = defaults == MethodSetting() ? nil : defaults
            stage.lastUpdatedDate = Date()
            try Self.saveStage(db, stage)
            try Self.audit(db, actor: actor, action: "UpdateStage(logging)", target: "restapis/\(apiId)/stages/\(stageName)",
                           before: before, after: Self.loggingSummary(stage))
        }
    }

    public static func loggingSummary(_ stage: Stage) -> String {
        let defaults = stage.methodSettings[Stage.defaultSettingsKey]
        let access = stage.accessLogSettings.map { "access log \($0.file ?? "store only")" } ?? "access log off"
        return "\(access); execution \(defaults?.loggingLevel?.rawValue ?? "OFF")\(defaults?.dataTraceEnabled == true ? " with data trace" : "")"
    }

    public func account() throws -> Account {
        try read { db in try Self.loadAccount(db) }
    }

    static func loadAccount(_ db: Database) throws -> Account {
        guard let row = try Row.fetchOne(db, sql: "SELECT throttle_rate, throttle_burst FROM account WHERE id = 1") else { return Account() }
        return Account(throttle: ThrottleLimit(rate: row["throttle_rate"], burst: row["throttle_burst"]))
    }

    public func setAccountThrottle(_ limit: ThrottleLimit, actor: Actor) throws {
        try write { db in
            let before = try Self.loadAccount(db)
            try db.execute(sql: "UPDATE account SET throttle_rate = ?, throttle_burst = ? WHERE id = 1", arguments: [limit.rate, limit.burst])
            try Self.audit(db, actor: actor, action: "UpdateAccount(throttle)", target: "account",
                           before: before.throttle.description, after: limit.description)
        }
    }

    // MARK: Serving snapshot and change detection

    /// The counter every configuration write bumps (by trigger, whoever writes).
    public func configVersion() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT version FROM config_version WHERE id = 1") ?? 0 }
    }

    /// Everything the worker serves, read in one consistent transaction.
    public func gatewayConfiguration() throws -> GatewayConfiguration {
        var configuration = try read { db in
            let version = try Int64.fetchOne(db, sql: "SELECT version FROM config_version WHERE id = 1") ?? 0
            let account = try Self.loadAccount(db)
            var snapshots: [String: ApiDefinition] = [:]
            var bindings: [GatewayConfiguration.StageBinding] = []
            for record in try StageRecord.fetchAll(db) {
                let stage = try record.stage()
                if snapshots[stage.deploymentId] == nil, let record = try DeploymentRecord.fetchOne(db, key: stage.deploymentId) {
                    snapshots[stage.deploymentId] = try record.deployment().snapshot
                }
                if var definition = snapshots[stage.deploymentId] {
                    // The endpoint type is the API's current one, not the deployed one: a PRIVATE API stops being
                    // public at once.
                    let live = try String.fetchOne(db, sql: "SELECT endpoint_type FROM rest_api WHERE id = ?", arguments: [stage.restApiId])
                    definition.restApi.endpointType = live.flatMap(EndpointType.init(rawValue:))
                    bindings.append(.init(stage: stage, definition: definition))
                }
            }
            let keys = try Row.fetchAll(db, sql: "SELECT id, value_hash, enabled FROM api_key").map {
                GatewayConfiguration.ServedKey(id: $0[0], valueHash: $0[1], enabled: $0[2])
            }
            let planKeys = Dictionary(grouping: try UsagePlanKeyRecord.fetchAll(db), by: \.planId).mapValues { $0.map(\.keyId) }
            var served = GatewayConfiguration(version: version, account: account, stages: bindings, apiKeys: keys,
                                              usagePlans: try Self.loadPlans(db), planKeys: planKeys)
            served.domains = try Self.loadDomains(db)
            served.basePathMappings = try Self.loadMappings(db)
            return served
        }
        (configuration.credentials, configuration.credentialsProblem) = try servedCredentials()
        (configuration.clientCertificates, configuration.clientCertificatesProblem) = try servedClientCertificates()
        return configuration
    }

    // MARK: Audit

    static func audit(_ db: Database, actor: Actor, action: String, target: String, before: String?, after: String?) throws {
        try db.execute(sql: "INSERT INTO audit_log (time, operator, source, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [Date().timeIntervalSince1970, actor.name, actor.source, action, target, before, after])
    }

    /// One recorded change.
    public struct AuditEntry: Sendable, Codable {
        public var id: Int64
        public var time: Date
        public var operatorName: String
        public var source: String
        public var action: String
        public var target: String
        public var before: String?
        public var after: String?
    }

    /// The newest audit entries, newest first.
    public func auditLog(limit: Int = 100) throws -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                AuditEntry(id: row["id"], time: Date(timeIntervalSince1970: row["time"]), operatorName: row["operator"],
                           source: row["source"], action: row["action"], target: row["target"], before: row["before"], after: row["after"])
            }
        }
    }
}
