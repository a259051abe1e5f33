import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

// The create / update / delete verbs for APIs, resources, methods and stages (what the management API's
// operations do, for scripts without an AWS SDK). Changes to an API's draft are served after the next deploy;
// changes to a stage are enforced within a second.

extension ApiCommand {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an empty API (its root resource only); prints its id.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Its name.") var name: String
        @Option(help: "A description.") var description: String?
        @Option(help: "A version label.") var version: String?

        func run() async throws {
            try await reportingErrors {
                let api = RestApi(id: Identifiers.make(), name: name, description: description, version: version)
                print(try storeOptions.open(.readWrite).createApi(api, actor: Actor.current(source: "cli")).restApi.id)
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename an API or change its description or version.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "A new name.") var name: String?
        @Option(help: "A new description.") var description: String?
        @Option(help: "A new version label.") var version: String?

        func validate() throws {
            if name == nil && description == nil && version == nil { throw ValidationError("nothing to change: give --name, --description or --version") }
        }

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).changeDefinition(apiId: api, action: "UpdateRestApi", target: "restapis/\(api)",
                                                                   actor: Actor.current(source: "cli")) { definition in
                    if let name { definition.restApi.name = name }
                    if let description { definition.restApi.description = description }
                    if let version { definition.restApi.version = version }
                }
                print("\(api): updated")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an API with its resources, deployments and stages (callers get 403 within a second).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).deleteApi(apiId: api, actor: Actor.current(source: "cli"))
                print("\(api): deleted")
            }
        }
    }
}

/// `gatehouse resource`: an API's resources by path.
struct ResourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resource", abstract: "Create, list or delete an API's resources (served after the next deploy).",
                                                    subcommands: [Create.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a resource by path, with any missing parents; prints its id.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The resource path, e.g. /pets/{petId} or /files/{proxy+}.") var path: String

        func run() async throws {
            try await reportingErrors {
                let made = try storeOptions.open(.readWrite).changeDefinition(apiId: api, action: "CreateResource", target: "restapis/\(api)/resources \(path)",
                                                                              actor: Actor.current(source: "cli")) { definition in
                    try definition.ensureResource(path: path)
                }
                print(made.resource.id)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an API's resources: id, path and methods.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String

        func run() async throws {
            try await reportingErrors {
                for resource in try storeOptions.open(.readOnly).existingDefinition(apiId: api).resources.sorted(by: { $0.path < $1.path }) {
                    print(pad(resource.id, 12) + pad(resource.path, 32) + resource.resourceMethods.keys.sorted().joined(separator: " "))
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a resource and everything under it.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The resource path.") var path: String

        func run() async throws {
            try await reportingErrors {
                let removed = try storeOptions.open(.readWrite).changeDefinition(apiId: api, action: "DeleteResource", target: "restapis/\(api)/resources \(path)",
                                                                                 actor: Actor.current(source: "cli")) { definition in
                    try definition.removeResource(path: path)
                }
                print("\(api): deleted \(removed.joined(separator: ", ")) (deploy to serve it)")
            }
        }
    }
}

extension MethodCommand {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a method with its integration (and its resource, if missing): MOCK, HTTP or HTTP_PROXY.",
            discussion: "A MOCK answers --status with --body (a mapping template); HTTP and HTTP_PROXY call --uri with --http-method (the method's verb by default).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The method, as 'VERB /resource/path' (e.g. 'GET /pets').") var method: String
        @Option(help: "MOCK, HTTP or HTTP_PROXY.") var type: String
        @Option(help: "The backend URL (HTTP, HTTP_PROXY), e.g. http://${stageVariables.backend}/pets/{id}.") var uri: String?
        @Option(help: "The verb sent to the backend (default: the method's).") var httpMethod: String?
        @Option(help: "NONE or AWS_IAM.") var authorizationType = "NONE"
        @Flag(help: "Callers need an API key on a usage plan for the stage.") var apiKeyRequired = false
        @Option(help: "MOCK: the status it answers.") var status = 200
        @Option(help: "MOCK: the body it answers (application/json; a mapping template).") var body: String?
        @Flag(help: "Replace the method if it exists.") var replace = false

        func validate() throws {
            guard let kind = IntegrationType(rawValue: type.uppercased()), kind.isSupported else { throw ValidationError("--type is MOCK, HTTP or HTTP_PROXY") }
            if kind != .mock && uri == nil { throw ValidationError("an \(kind.rawValue) method needs --uri") }
            if !["NONE", "AWS_IAM"].contains(authorizationType.uppercased()) { throw ValidationError("--authorization-type is NONE or AWS_IAM") }
        }

        func run() async throws {
            try await reportingErrors {
                let (path, verb) = try methodPathAndVerb(method)
                guard let kind = IntegrationType(rawValue: type.uppercased()) else { return }
                var integration: Integration
                if kind == .mock {
                    integration = Integration.mock(status: status, body: body)
                } else {
                    integration = Integration(type: kind, httpMethod: (httpMethod ?? verb).uppercased(), uri: uri)
                    if kind == .http { integration.integrationResponses = ["default": IntegrationResponse(statusCode: "200")] }
                }
                if let problem = integration.templateProblem() { throw ValidationError("--body: \(problem)") }
                let created = Method(httpMethod: verb, authorizationType: authorizationType.uppercased(), apiKeyRequired: apiKeyRequired,
                                     methodIntegration: integration)
                do {
                    _ = try storeOptions.open(.readWrite).changeDefinition(apiId: api, action: "PutMethod", target: "restapis/\(api) \(verb) \(path)",
                                                                       actor: Actor.current(source: "cli")) {
                        try $0.putMethod(created, path: path, replace: replace)
                    }
                } catch let exists as ApiDefinition.MethodExists {
                    throw ValidationError("\(exists); give --replace to replace it")
                }
                print("\(api) \(verb) \(path): \(kind.rawValue) (deploy to serve it)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a method (its resource stays).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The method, as 'VERB /resource/path'.") var method: String

        func run() async throws {
            try await reportingErrors {
                let (path, verb) = try methodPathAndVerb(method)
                try storeOptions.open(.readWrite).changeDefinition(apiId: api, action: "DeleteMethod", target: "restapis/\(api) \(verb) \(path)",
                                                                   actor: Actor.current(source: "cli")) {
                    try $0.removeMethod(verb: verb, path: path)
                }
                print("\(api) \(verb) \(path): deleted (deploy to serve it)")
            }
        }
    }
}

extension StageCommand {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a stage on one of the API's deployments (`gatehouse deployments`).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The stage name.") var stage: String
        @Option(help: "The deployment it serves.") var deployment: String
        @Option(help: "A description.") var description: String?
        @Option(name: .customLong("var"), help: "A stage variable, name=value (repeatable).") var variables: [String] = []

        func run() async throws {
            try await reportingErrors {
                let parsed = try stageVariables(variables)
                try storeOptions.open(.readWrite).createStage(Stage(restApiId: api, stageName: stage, deploymentId: deployment, description: description,
                                                                   variables: parsed), actor: Actor.current(source: "cli"))
                print("\(api)/\(stage): created on deployment \(deployment)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a stage (its callers get 403 within a second).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The stage name.") var stage: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).deleteStage(apiId: api, stageName: stage, actor: Actor.current(source: "cli"))
                print("\(api)/\(stage): deleted")
            }
        }
    }
}

/// `--var name=value` pairs (a name and a value, neither empty) as a dictionary, or a usage error naming the one
/// that is not; `deploy`, `stage create` and `stage set` read them alike.
func stageVariables(_ pairs: [String]) throws -> [String: String] {
    var parsed: [String: String] = [:]
    for pair in pairs {
        let parts = pair.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--var takes name=value, got '\(pair)'") }
        parsed[String(parts[0])] = String(parts[1])
    }
    return parsed
}
