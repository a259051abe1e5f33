import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse method set`: a method's own settings (AWS `UpdateMethod`); like an import, a change reaches callers
/// with the next `deploy`.
struct MethodCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "method",
        abstract: "Change a method of an API (served after the next deploy).",
        subcommands: [Create.self, Set.self, Delete.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Require an API key or a SigV4 signature for a method (or not), and set what keys its cached answers.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The method, as 'VERB /resource/path' (e.g. 'GET /pets').") var method: String
        @Option(help: "true: callers need an API key on a usage plan for the stage; false: no key.") var apiKeyRequired: Bool?
        @Option(help: "A request parameter that keys the method's cached answers beside its path (repeatable): method.request.querystring.NAME, method.request.header.NAME or method.request.path.NAME.")
        var cacheKey: [String] = []
        @Flag(help: "Key cached answers by the path alone.") var clearCacheKeys = false
        @Option(help: "NONE, or AWS_IAM: callers sign with SigV4 using a credential from `gatehouse credentials create`.")
        var authorizationType: String?
        @Option(help: "Guard the method with this authorizer of the API (from `gatehouse authorizer create`).") var authorizer: String?
        @Option(help: "With --authorizer: a scope the token must carry (repeatable; any one of them suffices).") var scope: [String] = []
        @Option(help: "The API's request validator for the method (`gatehouse validator set`), or default.") var validator: String?

        func validate() throws {
            if apiKeyRequired == nil && cacheKey.isEmpty && !clearCacheKeys && authorizationType == nil && authorizer == nil && validator == nil {
                throw ValidationError("nothing to change: give --api-key-required, --authorization-type, --authorizer, --validator, --cache-key or --clear-cache-keys")
            }
            if authorizer != nil && authorizationType != nil { throw ValidationError("give --authorizer or --authorization-type, not both") }
            if !scope.isEmpty && authorizer == nil { throw ValidationError("--scope goes with --authorizer") }
            if clearCacheKeys && !cacheKey.isEmpty { throw ValidationError("--clear-cache-keys takes no --cache-key") }
        }

        func run() async throws {
            try await reportingErrors {
                let key = try methodKey(method)
                let (path, verb) = try methodPathAndVerb(method)
                let store = try storeOptions.open(.readWrite)
                if let apiKeyRequired {
                    try store.setMethodApiKeyRequired(apiId: api, resourcePath: path, verb: verb, required: apiKeyRequired, actor: Actor.current(source: "cli"))
                    print("\(api) \(Stage.methodLabel(settingsKey: key)): API key \(apiKeyRequired ? "required" : "not required") (deploy to serve it)")
                }
                if let authorizer {
                    try store.setMethodAuthorizer(apiId: api, resourcePath: path, verb: verb, authorizerId: authorizer, scopes: scope, actor: Actor.current(source: "cli"))
                    print("\(api) \(Stage.methodLabel(settingsKey: key)): authorizer \(authorizer)" + (scope.isEmpty ? "" : " scopes \(scope.joined(separator: " "))")
                          + " (deploy to serve it)")
                }
                if let authorizationType {
                    try store.setMethodAuthorizationType(apiId: api, resourcePath: path, verb: verb, type: authorizationType, actor: Actor.current(source: "cli"))
                    print("\(api) \(Stage.methodLabel(settingsKey: key)): authorization \(authorizationType.uppercased()) (deploy to serve it)")
                }
                if let validator {
                    let name = validator.lowercased() == "default" ? nil : validator
                    try store.setMethodRequestValidator(apiId: api, resourcePath: path, verb: verb, name: name, actor: Actor.current(source: "cli"))
                    print("\(api) \(Stage.methodLabel(settingsKey: key)): request validator \(name ?? "the API's default") (deploy to serve it)")
                }
                if !cacheKey.isEmpty || clearCacheKeys {
                    try store.setMethodCacheKeys(apiId: api, resourcePath: path, verb: verb, parameters: cacheKey, actor: Actor.current(source: "cli"))
                    print("\(api) \(Stage.methodLabel(settingsKey: key)): cached answers keyed by the path"
                          + (cacheKey.isEmpty ? "" : " and \(cacheKey.joined(separator: ", "))") + " (deploy to serve it)")
                }
            }
        }
    }
}

/// `gatehouse api set`: an API's own settings (AWS `UpdateRestApi`).
struct ApiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Change an API's settings (served after the next deploy).",
        subcommands: [Create.self, Update.self, Delete.self, Set.self, Endpoint.self])

    struct Endpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the API's endpoint type: REGIONAL, EDGE or PRIVATE (enforced within a second, no deploy needed).",
            discussion: "A PRIVATE API is served only on listeners started with `gatehouse serve --private`; public listeners answer 403.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "REGIONAL, EDGE or PRIVATE.") var type: String

        func validate() throws {
            if EndpointType(rawValue: type.uppercased()) == nil { throw ValidationError("--type is REGIONAL, EDGE or PRIVATE, got '\(type)'") }
        }

        func run() async throws {
            try await reportingErrors {
                guard let endpoint = EndpointType(rawValue: type.uppercased()) else { return }
                try storeOptions.open(.readWrite).setEndpointType(apiId: api, type: endpoint, actor: Actor.current(source: "cli"))
                print("\(api): endpoint type \(endpoint.rawValue)")
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set where the API's methods read their API key.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "HEADER (x-api-key) or AUTHORIZER (from a custom authorizer; refused at deploy until authorizers exist).")
        var keySource: String

        func validate() throws {
            if ApiKeySource(rawValue: keySource.uppercased()) == nil { throw ValidationError("--key-source is HEADER or AUTHORIZER, got '\(keySource)'") }
        }

        func run() async throws {
            try await reportingErrors {
                guard let source = ApiKeySource(rawValue: keySource.uppercased()) else { return }
                try storeOptions.open(.readWrite).setApiKeySource(apiId: api, source: source, actor: Actor.current(source: "cli"))
                print("\(api): API keys from \(source.rawValue) (deploy to serve it)")
            }
        }
    }
}
