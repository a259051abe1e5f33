import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse credentials create|list|revoke`: access key pairs for SigV4-signed calls (IAM's place here).
struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract: "Access keys for SigV4-signed calls: create (the secret is shown once), list, revoke.",
        discussion: "Secrets are stored sealed with the key file beside the store (STORE.key, mode 0600): back it up with the store.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an access key; prints its id and secret (the secret only now).")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "A name for the key pair.") var name: String
        @Option(help: "A resource ARN it may use, wildcards allowed (repeatable): arn:aws:execute-api:*:*:API/STAGE/VERB/PATH to invoke, arn:aws:apigateway:*::/restapis/* for the management API (serve --admin).")
        var allow: [String] = []

        func validate() throws {
            if let problem = allow.lazy.compactMap(Credential.problem(withResourcePattern:)).first { throw ValidationError("--allow: \(problem)") }
        }

        func run() async throws {
            try await reportingErrors {
                let (credential, secret) = try storeOptions.open(.readWrite).createCredential(name: name, allow: allow, actor: Actor.current(source: "cli"))
                print("\(credential.accessKeyId)\t\(secret)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the access keys (never their secrets).")

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                print(pad("ACCESS KEY", 22) + pad("NAME", 20) + pad("STATE", 9) + pad("CREATED", 22) + "ALLOW")
                for credential in try storeOptions.open(.readOnly).credentials() {
                    print(pad(credential.accessKeyId, 22) + pad(credential.name, 20) + pad(credential.revoked == nil ? "active" : "revoked", 9)
                          + pad(isoDate(credential.created), 22) + (credential.allow.isEmpty ? "(nothing)" : credential.allow.joined(separator: " ")))
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an access key: calls signed with it are refused.")

        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The access key id.") var id: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).revokeCredential(accessKeyId: id, actor: Actor.current(source: "cli"))
                print("\(id) revoked")
            }
        }
    }
}
