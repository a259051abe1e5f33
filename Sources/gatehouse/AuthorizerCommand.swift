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
        subcommands: [Create.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an authorizer; prints its id.")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "A name, unique within the API.") var name: String
        @Option(help: "JWT (custom TOKEN and REQUEST authorizers are not built yet).") var type: String = "JWT"
        @Option(help: "The token issuer's URL (its `iss` claim); its keys are read from ISSUER/.well-known/openid-configuration.") var issuer: String?
        @Option(help: "An audience the token must name in `aud` (or `client_id`), repeatable.") var audience: [String] = []
        @Option(help: "The issuer's JWKS URL, when discovery is not to be used.") var jwksUri: String?
        @Option(help: "Where the token is read: method.request.header.NAME (default Authorization).") var identitySource = "method.request.header.Authorization"

        func run() async throws {
            try await reportingErrors {
                guard type.uppercased() == "JWT" else {
                    throw StoreError.invalid("--type \(type): only JWT authorizers can be created here yet (TOKEN and REQUEST come next)")
                }
                guard let issuer else { throw StoreError.invalid("a JWT authorizer needs --issuer URL") }
                let authorizer = Authorizer(id: "", name: name, type: "JWT", identitySource: identitySource,
                                            jwtConfiguration: .init(issuer: issuer, audience: audience), jwksUri: jwksUri)
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
