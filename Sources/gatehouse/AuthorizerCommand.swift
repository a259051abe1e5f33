import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse authorizer create|list|delete`: an API's authorizers (AWS's `CreateAuthorizer` and friends). A JWT
/// authorizer is the self-hosted Cognito: tokens of any OpenID Connect issuer, checked against its keys.
struct AuthorizerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authorizer",
        abstract: "An API's authorizers: create, list, delete (methods use one with `method set --authorizer`).",
        subcommands: [Create.self, List.self, Delete.self, Flush.self])

    struct Flush: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget the custom authorizers' kept answers for a stage (AWS's FlushStageAuthorizersCache); every worker asks again within a second.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The stage.") var stage: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).flushStageAuthorizersCache(apiId: api, stageName: stage, actor: Actor.current(source: "cli"))
                print("\(api)/\(stage): authorizer answers flushed")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an authorizer; prints its id.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "A name, unique within the API.") var name: String
        @Option(help: "JWT, TOKEN or REQUEST.") var type: String = "JWT"
        @Option(help: "JWT: the token issuer's URL (its `iss` claim); its keys are read from ISSUER/.well-known/openid-configuration.") var issuer: String?
        @Option(help: "JWT: an audience the token must name in `aud` (or `client_id`), repeatable.") var audience: [String] = []
        @Option(help: "JWT: the issuer's JWKS URL, when discovery is not to be used.") var jwksUri: String?
        @Option(help: "TOKEN/REQUEST: the authorizer's http(s) URL; it is POSTed AWS's Lambda authorizer event and answers AWS's output.") var uri: String?
        @Option(help: "Where the identity is read: method.request.header.NAME (TOKEN, JWT), or a comma-separated list of method.request.header.NAME, method.request.querystring.NAME, stageVariables.NAME, context.NAME (REQUEST).")
        var identitySource: String?
        @Option(help: "TOKEN/REQUEST: seconds an answer is kept per identity (0-3600, default 300; 0 turns caching off).") var ttl: Int?
        @Option(help: "TOKEN: a regular expression the token must match before the authorizer is called.") var validationExpression: String?

        func run() async throws {
            try await reportingErrors {
                let kind = type.uppercased()
                var authorizer = Authorizer(id: "", name: name, type: kind)
                switch kind {
                case "JWT":
                    guard let issuer else { throw StoreError.invalid("a JWT authorizer needs --issuer URL") }
                    authorizer.jwtConfiguration = .init(issuer: issuer, audience: audience)
                    authorizer.jwksUri = jwksUri
                    authorizer.identitySource = identitySource ?? "method.request.header.Authorization"
                case "TOKEN", "REQUEST":
                    guard let uri else { throw StoreError.invalid("a \(kind) authorizer needs --uri URL (http or https)") }
                    authorizer.authorizerUri = uri
                    authorizer.authorizerResultTtlInSeconds = ttl
                    authorizer.identityValidationExpression = validationExpression
                    authorizer.identitySource = identitySource ?? (kind == "TOKEN" ? "method.request.header.Authorization" : nil)
                    if kind == "REQUEST", authorizer.identitySources.isEmpty, authorizer.resultTtl > 0 {
                        throw StoreError.invalid("a REQUEST authorizer whose answers are cached needs --identity-source (the values its answers are kept by), or --ttl 0")
                    }
                default:
                    throw StoreError.invalid("--type \(type): use JWT, TOKEN or REQUEST")
                }
                let made = try storeOptions.open(.readWrite).createAuthorizer(apiId: api, authorizer, actor: Actor.current(source: "cli"))
                print(made.id)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an API's authorizers.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String

        func run() async throws {
            try await reportingErrors {
                let authorizers = try storeOptions.open(.readOnly).authorizers(apiId: api)
                print(pad("ID", 8) + pad("NAME", 20) + pad("TYPE", 20) + "ISSUER / URI")
                for authorizer in authorizers {
                    let detail = authorizer.jwtConfiguration.map { "\($0.issuer) aud \($0.audience.joined(separator: ","))" } ?? authorizer.authorizerUri ?? ""
                    print(pad(authorizer.id, 8) + pad(authorizer.name, 20) + pad(authorizer.type, 20) + detail)
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an authorizer no method uses.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Argument(help: "The authorizer id.") var id: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).deleteAuthorizer(apiId: api, id: id, actor: Actor.current(source: "cli"))
                print("deleted authorizer \(id)")
            }
        }
    }
}
