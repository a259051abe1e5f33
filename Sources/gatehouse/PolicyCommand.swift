import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse policy set|show|clear`: an API's resource policy (AWS's `RestApi.policy`), served from the next deploy.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "An API's resource policy: who may invoke it from where (served after the next deploy).",
        subcommands: [Set.self, Show.self, Clear.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the policy from an IAM policy document (JSON).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The policy document, a JSON file.") var file: String

        func run() async throws {
            try await reportingErrors {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw StoreError.invalid("cannot read \(file): give the path of a JSON policy document")
                }
                try storeOptions.open(.readWrite).setApiPolicy(apiId: api, document: text, actor: Actor.current(source: "cli"))
                print("\(api): resource policy set (deploy to serve it)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the policy (nothing when the API has none).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String

        func run() async throws {
            try await reportingErrors {
                let definition = try storeOptions.open(.readOnly).existingDefinition(apiId: api)
                if let policy = definition.restApi.policy { print(policy) }
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the policy.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).setApiPolicy(apiId: api, document: nil, actor: Actor.current(source: "cli"))
                print("\(api): resource policy cleared (deploy to serve it)")
            }
        }
    }
}
