import GatehouseCore
import GatehouseStore

extension ConsoleEdit {
    /// Writes the edit to the store, audited under `actor` (the same store calls the CLI makes).
    func apply(_ store: Store, actor: Actor) throws {
        switch self {
        case .createApi(let name):
            _ = try store.createApi(RestApi(id: Identifiers.make(), name: name), actor: actor)
        case .renameApi(let api, let name):
            try store.changeDefinition(apiId: api, action: "UpdateRestApi", target: "restapis/\(api)", actor: actor) { $0.restApi.name = name }
        case .deleteApi(let api):
            try store.deleteApi(apiId: api, actor: actor)
        case .createResource(let api, let path):
            try store.changeDefinition(apiId: api, action: "CreateResource", target: "restapis/\(api)/resources \(path)", actor: actor) {
                _ = try $0.ensureResource(path: path)
            }
        case .deleteResource(let api, let path):
            try store.changeDefinition(apiId: api, action: "DeleteResource", target: "restapis/\(api)/resources \(path)", actor: actor) {
                _ = try $0.removeResource(path: path)
            }
        case .createMethod(let api, let verb, let path, let target):
            let integration = target == "mock" ? Integration.mock() : Integration(type: .httpProxy, httpMethod: verb, uri: target)
            _ = try store.changeDefinition(apiId: api, action: "PutMethod", target: "restapis/\(api) \(verb) \(path)", actor: actor) {
                try $0.putMethod(Method(httpMethod: verb, methodIntegration: integration), path: path, replace: false)
            }
        case .deleteMethod(let api, let verb, let path):
            try store.changeDefinition(apiId: api, action: "DeleteMethod", target: "restapis/\(api) \(verb) \(path)", actor: actor) {
                try $0.removeMethod(verb: verb, path: path)
            }
        case .deploy(let api, let stage):
            try store.deploy(apiId: api, stageName: stage, description: "from the console", variables: [:], actor: actor)
        case .createStage(let api, let stage, let deployment):
            try store.createStage(Stage(restApiId: api, stageName: stage, deploymentId: deployment), actor: actor)
        case .deleteStage(let api, let stage):
            try store.deleteStage(apiId: api, stageName: stage, actor: actor)
        case .setStageVariables(let api, let stage, let set, let unset):
            try store.changeStage(apiId: api, stageName: stage, action: "UpdateStage(variables)", actor: actor) { stage in
                for (name, value) in set { stage.variables[name] = value }
                for name in unset { stage.variables[name] = nil }
            }
        }
    }
}
