import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

extension ImportMode: ExpressibleByArgument {}
extension OpenAPIExporter.Format: ExpressibleByArgument {}

/// `gatehouse init`: the explicit way to make a store (besides `import` and `demo`).
struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create an empty store, or upgrade an older one to this gatehouse's schema.",
        discussion: "Refuses a file that is not a Gatehouse store; nothing is written into it.")

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors {
            let size = (try? FileManager.default.attributesOfItem(atPath: storeOptions.path)[.size] as? NSNumber)?.intValue ?? 0
            let store = try storeOptions.open(.create)
            print("\(size > 0 ? "store ready" : "store created"): \(store.path)")
        }
    }
}

/// `gatehouse import FILE`: OpenAPI 3.0 / Swagger 2.0 with AWS extensions into the store.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import an OpenAPI 3.0 or Swagger 2.0 file (JSON or YAML) as a REST API; prints its id.")

    @Argument(help: "The OpenAPI file.") var file: String
    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "With --api: overwrite replaces the API's resources, merge adds to them.") var mode: ImportMode = .overwrite
    @Option(help: "Import into this existing API instead of creating one.") var api: String?
    @Flag(help: "Import nothing when there is any warning (AWS's failonwarnings).") var failOnWarnings = false

    func run() async throws {
        try await reportingErrors {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw StoreError.invalid("cannot read \(file): no such file, or no permission")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw StoreError.invalid("\(file) is not UTF-8 text")
            }
            let store = try storeOptions.open(.create)
            if let api, try store.definition(apiId: api) == nil {
                throw StoreError.notFound(what: "API \(api)", hint: "omit --api to create a new API")
            }
            let result: OpenAPIImporter.Result
            do {
                result = try OpenAPIImporter.parse(text, apiId: api ?? Identifiers.make())
            } catch let error as ImportError {
                throw StoreError.invalid("\(file): " + error.description)
            }
            for warning in result.warnings { printError("warning: \(file): \(warning)") }
            if failOnWarnings, !result.warnings.isEmpty {
                throw StoreError.invalid("\(file): \(result.warnings.count) warning(s) above and --fail-on-warnings: nothing was imported")
            }
            try store.putApi(result.definition, mode: mode, actor: .current(source: "cli"))
            print(result.definition.restApi.id)
        }
    }
}

/// `gatehouse export`: what a stage serves, back to OpenAPI with the extensions.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export what a stage serves as OpenAPI 3.0 or Swagger 2.0, extensions included.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The API id.") var api: String
    @Option(help: "The stage whose deployment is exported.") var stage: String
    @Option(help: "oas30 or swagger.") var format: OpenAPIExporter.Format = .oas30
    @Flag(help: "YAML instead of JSON.") var yaml = false

    func run() async throws {
        try await reportingErrors {
            let store = try storeOptions.open(.readOnly)
            let stageValue = try store.existingStage(apiId: api, stageName: stage)
            guard let deployment = try store.deployments(apiId: api).first(where: { $0.id == stageValue.deploymentId }) else {
                throw StoreError.notFound(what: "deployment \(stageValue.deploymentId)", hint: "redeploy the stage")
            }
            let document = OpenAPIExporter.document(deployment.snapshot, stageName: stage, format: format)
            print(yaml ? try document.yaml() : document.json())
        }
    }
}

/// `gatehouse deploy`: snapshot the API and point a stage at it.
struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Snapshot an API into a deployment and point a stage at it; prints the deployment id.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The API id.") var api: String
    @Option(help: "The stage to create or update.") var stage: String
    @Option(help: "A description of the deployment.") var description: String?
    @Option(name: .customLong("var"), help: "A stage variable, name=value (repeatable).") var variables: [String] = []

    func run() async throws {
        try await reportingErrors {
            let parsed = try stageVariables(variables)
            let store = try storeOptions.open(.readWrite)
            let deployment = try store.deploy(apiId: api, stageName: stage, description: description, variables: parsed,
                                              actor: .current(source: "cli"))
            print(deployment.id)
            let set = try store.existingStage(apiId: api, stageName: stage).variables
            for (name, methods) in deployment.snapshot.stageVariableReferences.sorted(by: { $0.key < $1.key }) where set[name] == nil {
                printError("warning: \(methods.joined(separator: ", ")) read ${stageVariables.\(name)}, which stage \(stage) does not set:"
                           + " those calls answer 500 until it is set (gatehouse deploy --api \(api) --stage \(stage) --var \(name)=VALUE)")
            }
        }
    }
}

/// `gatehouse deployments`: the history of an API's deployments and which stages serve them.
struct Deployments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List an API's deployments, newest first, with the stages that serve each.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The API id.") var api: String

    func run() async throws {
        try await reportingErrors {
            let store = try storeOptions.open(.readOnly)
            let stages = try store.stages(apiId: api)
            let deployments = try store.deployments(apiId: api)
            let formatter = ISO8601DateFormatter()
            print(pad("ID", 12) + pad("CREATED", 22) + pad("STAGES", 20) + "DESCRIPTION")
            for deployment in deployments {
                let serving = stages.filter { $0.deploymentId == deployment.id }.map(\.stageName).joined(separator: ",")
                print(pad(deployment.id, 12) + pad(formatter.string(from: deployment.createdDate), 22) + pad(serving.isEmpty ? "-" : serving, 20)
                      + (deployment.description ?? ""))
            }
        }
    }
}

/// `gatehouse rollback`: point a stage at an earlier deployment.
struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Point a stage back at an earlier deployment.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The API id.") var api: String
    @Option(help: "The stage.") var stage: String
    @Option(help: "The deployment id to serve.") var to: String

    func run() async throws {
        try await reportingErrors {
            let store = try storeOptions.open(.readWrite)
            let before = try store.existingStage(apiId: api, stageName: stage)
            try store.rollback(apiId: api, stageName: stage, to: to, actor: .current(source: "cli"))
            print("stage \(stage) of \(api) now serves deployment \(to) (was \(before.deploymentId))")
            let variables = before.variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            print(variables.isEmpty ? "stage variables: none (a rollback changes only the deployment)"
                                    : "stage variables kept as they are (a rollback changes only the deployment): \(variables.joined(separator: ", "))")
        }
    }
}

/// `gatehouse apis`: the APIs in the store.
struct Apis: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the REST APIs in the store.")

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors {
            let store = try storeOptions.open(.readOnly)
            print(pad("ID", 12) + pad("NAME", 30) + "STAGES")
            for api in try store.restApis() {
                let stages = try store.stages(apiId: api.id).map(\.stageName).joined(separator: ",")
                print(pad(api.id, 12) + pad(api.name, 30) + stages)
            }
        }
    }
}

/// `gatehouse stages`: an API's stages with their deployments and variables.
struct Stages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List an API's stages, their deployments and variables.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The API id.") var api: String

    func run() async throws {
        try await reportingErrors {
            let store = try storeOptions.open(.readOnly)
            let stages = try store.stages(apiId: api)
            print(pad("STAGE", 16) + pad("DEPLOYMENT", 12) + "VARIABLES")
            for stage in stages {
                let variables = stage.variables.keys.sorted().map { "\($0)=\(stage.variables[$0] ?? "")" }.joined(separator: " ")
                print(pad(stage.stageName, 16) + pad(stage.deploymentId, 12) + variables)
            }
        }
    }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
