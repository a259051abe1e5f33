import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse client-cert create|list|show|delete`: certificates the gateway presents to HTTPS backends (AWS's
/// `GenerateClientCertificate`); `gatehouse stage set --client-cert` names the one a stage presents.
struct ClientCertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client-cert",
        abstract: "Client certificates presented to HTTPS backends (a P-256 key and a self-signed certificate, 365 days).",
        subcommands: [Create.self, List.self, Show.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate a key pair and its certificate; prints the id.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "What it is for.") var description: String?

        func run() async throws {
            try await reportingErrors {
                let made = try storeOptions.open(.readWrite).createClientCertificate(description: description, actor: Actor.current(source: "cli"))
                print(made.clientCertificateId)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every client certificate: id, expiry, description.")
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                print("ID\tEXPIRES\tDESCRIPTION")
                for certificate in try storeOptions.open(.readOnly).clientCertificates() {
                    print("\(certificate.clientCertificateId)\t\(ISO8601DateFormatter().string(from: certificate.expirationDate))\t\(certificate.description ?? "-")")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One certificate; --pem prints only the PEM, for a backend's truststore.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The certificate id.") var id: String
        @Flag(help: "Print only the PEM-encoded certificate.") var pem = false

        func run() async throws {
            try await reportingErrors {
                let certificate = try storeOptions.open(.readOnly).clientCertificate(id)
                if pem {
                    print(certificate.pemEncodedCertificate, terminator: certificate.pemEncodedCertificate.hasSuffix("\n") ? "" : "\n")
                    return
                }
                print("id:           \(certificate.clientCertificateId)")
                print("description:  \(certificate.description ?? "-")")
                print("created:      \(ISO8601DateFormatter().string(from: certificate.createdDate))")
                print("expires:      \(ISO8601DateFormatter().string(from: certificate.expirationDate))")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a certificate no stage presents.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The certificate id.") var id: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).deleteClientCertificate(id, actor: Actor.current(source: "cli"))
                print("\(id): deleted")
            }
        }
    }
}

/// `gatehouse stage set`: a stage's settings that are not throttles, logging or the cache (which have their own
/// commands): the client certificate it presents to HTTPS backends.
struct StageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stage", abstract: "Create, change or delete a stage.",
                                                    subcommands: [Create.self, Set.self, Delete.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a stage without a new deployment (enforced within a second): its variables, description, the deployment it serves, the client certificate it presents.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The stage.") var stage: String
        @Option(help: "A client certificate id (`gatehouse client-cert list`), or none.") var clientCert: String?
        @Option(name: .customLong("var"), help: "Set a stage variable, name=value (repeatable).") var variables: [String] = []
        @Option(help: "Remove a stage variable (repeatable).") var unsetVar: [String] = []
        @Option(help: "A new description.") var description: String?
        @Option(help: "Serve this deployment of the API (a rollback or roll forward).") var deployment: String?

        func validate() throws {
            if clientCert == nil && variables.isEmpty && unsetVar.isEmpty && description == nil && deployment == nil {
                throw ValidationError("nothing to change: give --var, --unset-var, --description, --deployment or --client-cert")
            }
        }

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readWrite)
                if !variables.isEmpty || !unsetVar.isEmpty || description != nil || deployment != nil {
                    let set = try stageVariables(variables)
                    let changed = try store.changeStage(apiId: api, stageName: stage, action: "UpdateStage", actor: Actor.current(source: "cli")) { stage in
                        for (name, value) in set { stage.variables[name] = value }
                        for name in unsetVar { stage.variables[name] = nil }
                        if let description { stage.description = description }
                        if let deployment { stage.deploymentId = deployment }
                        return stage
                    }
                    print("\(api)/\(stage): deployment \(changed.deploymentId), variables "
                          + (changed.variables.isEmpty ? "none" : changed.variables.keys.sorted().map { "\($0)=\(changed.variables[$0] ?? "")" }.joined(separator: " ")))
                }
                if let clientCert {
                    let id = clientCert.lowercased() == "none" ? nil : clientCert
                    try store.setStageClientCertificate(apiId: api, stageName: stage, id: id, actor: Actor.current(source: "cli"))
                    print("\(api)/\(stage): client certificate \(id ?? "none")")
                }
            }
        }
    }
}
