import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse cors enable`: AWS's "Enable CORS" on an API's draft (served from the next deploy).
struct CorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cors", abstract: "Enable CORS as AWS's console does (deploy to serve it).",
                                                    subcommands: [Enable.self])

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add OPTIONS preflight mocks and Access-Control-Allow-* headers to a resource (or every resource) and to DEFAULT_4XX/5XX.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "One resource path (default: every resource with methods).") var resource: String?
        @Option(help: "The allowed origin: '*' or scheme://host[:port].") var origin: String
        @Option(help: "Allowed methods, comma-separated (default: each resource's own).") var methods: String?
        @Option(help: "Allowed request headers, comma-separated (default: AWS's: Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token).")
        var headers: String?

        func run() async throws {
            try await reportingErrors {
                let list: (String?) -> [String] = { $0?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? [] }
                let settings = CorsSettings(origin: origin, methods: list(methods).map { $0.uppercased() }, headers: list(headers))
                if let problem = settings.problem { throw ValidationError(problem) }
                let store = try storeOptions.open(.readWrite)
                let definition = try store.existingDefinition(apiId: api)
                if let resource, !definition.resources.contains(where: { $0.path == resource }) {
                    throw StoreError.notFound(what: "resource \(resource) of \(api)", hint: "give a path the API has, e.g. /pets")
                }
                let (changed, paths) = settings.apply(to: definition, resourcePath: resource)
                try store.putApi(changed, mode: .overwrite, actor: Actor.current(source: "cli"), action: "EnableCors(\(origin))")
                print("\(api): CORS for \(origin) on \(paths.isEmpty ? "no resource" : paths.joined(separator: ", ")) and DEFAULT_4XX/5XX (deploy to serve it)")
            }
        }
    }
}
