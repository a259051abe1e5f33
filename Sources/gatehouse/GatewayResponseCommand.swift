import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse gateway-response set|list|delete`: the answers the gateway makes itself, as an API customizes them
/// (AWS's PutGatewayResponse); served from the next deploy.
struct GatewayResponseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway-response",
        abstract: "Customize the gateway's own answers (401, 403, 413, 429, 502, 504 …) per API; deploy to serve.",
        subcommands: [Set.self, List.self, Delete.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set one response type's status, headers and body templates (replaces what it had).",
            discussion: """
                Types: \(GatewayResponseSetting.responseTypes.joined(separator: ", ")). DEFAULT_4XX and DEFAULT_5XX apply to every 4xx or 5xx
                type not set itself. A header's value is a 'quoted literal', method.request.header.NAME, method.request.querystring.NAME,
                method.request.path.NAME, context.NAME or stageVariables.NAME. Templates read $context.error.messageString (quoted),
                $context.error.message, $context.error.responseType, $context.requestId, $context.stage, $stageVariables.NAME.
                """)
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The response type, e.g. UNAUTHORIZED or DEFAULT_4XX.") var type: String
        @Option(help: "The status code to answer with.") var status: Int?
        @Option(help: "A header, NAME=SOURCE (repeatable), e.g. \"Access-Control-Allow-Origin='*'\".") var header: [String] = []
        @Option(help: "A body template, CONTENT_TYPE=TEMPLATE (repeatable).") var template: [String] = []

        func run() async throws {
            try await reportingErrors {
                var setting = GatewayResponseSetting(responseType: type.uppercased(), statusCode: status.map(String.init))
                for pair in header {
                    guard let equals = pair.firstIndex(of: "=") else { throw ValidationError("--header is NAME=SOURCE, got '\(pair)'") }
                    setting.responseParameters["gatewayresponse.header." + pair[..<equals]] = String(pair[pair.index(after: equals)...])
                }
                for pair in template {
                    guard let equals = pair.firstIndex(of: "=") else { throw ValidationError("--template is CONTENT_TYPE=TEMPLATE, got '\(pair)'") }
                    setting.responseTemplates[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
                }
                try storeOptions.open(.readWrite).putGatewayResponse(apiId: api, setting, actor: Actor.current(source: "cli"))
                print("\(api): gateway response \(setting.responseType) set (deploy to serve it)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The API's customized responses (the draft's).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String

        func run() async throws {
            try await reportingErrors {
                let responses = try storeOptions.open(.readOnly).gatewayResponses(apiId: api)
                print("TYPE\tSTATUS\tHEADERS\tTEMPLATES")
                for type in responses.keys.sorted() {
                    guard let setting = responses[type] else { continue }
                    let headers = setting.responseParameters.keys.sorted().map { "\($0.dropFirst("gatewayresponse.header.".count))=\(setting.responseParameters[$0] ?? "")" }
                    print("\(type)\t\(setting.statusCode ?? "-")\t\(headers.isEmpty ? "-" : headers.joined(separator: " "))\t"
                          + (setting.responseTemplates.isEmpty ? "-" : setting.responseTemplates.keys.sorted().joined(separator: ",")))
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put one response type back to the default.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The response type.") var type: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).deleteGatewayResponse(apiId: api, type: type.uppercased(), actor: Actor.current(source: "cli"))
                print("\(api): gateway response \(type.uppercased()) back to the default (deploy to serve it)")
            }
        }
    }
}

/// `gatehouse validator set|list`: an API's request validators (AWS's RequestValidator); `method set --validator`
/// picks one for a method. Served from the next deploy.
struct ValidatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validator", abstract: "Request validators: required parameters and JSON bodies checked before integration.",
                                                    subcommands: [Set.self, List.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add or replace a validator (deploy to serve it).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The validator's name.") var name: String
        @Flag(help: "Check the method's required path, query and header parameters.") var params = false
        @Flag(help: "Check the JSON body against the method's model for its content type.") var body = false
        @Flag(name: .customLong("default"), help: "Methods that name no validator use this one.") var makeDefault = false

        func run() async throws {
            try await reportingErrors {
                let validator = RequestValidator(name: name, validateRequestBody: body, validateRequestParameters: params)
                try storeOptions.open(.readWrite).putRequestValidator(apiId: api, validator, makeDefault: makeDefault, actor: Actor.current(source: "cli"))
                print("\(api): request validator \(name) (parameters \(params), body \(body))\(makeDefault ? ", the default" : "") (deploy to serve it)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The API's validators (the draft's).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String

        func run() async throws {
            try await reportingErrors {
                let definition = try storeOptions.open(.readOnly).existingDefinition(apiId: api)
                print("NAME\tPARAMETERS\tBODY\tDEFAULT")
                for (name, validator) in (definition.restApi.requestValidators ?? [:]).sorted(by: { $0.key < $1.key }) {
                    print("\(name)\t\(validator.validateRequestParameters)\t\(validator.validateRequestBody)\t\(definition.restApi.defaultRequestValidator == name ? "yes" : "-")")
                }
            }
        }
    }
}

/// `gatehouse docs list|show`: an API's documentation parts (from `x-amazon-apigateway-documentation`), and what
/// documents one entity once wildcard parts are inherited.
struct DocsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "docs", abstract: "An API's documentation parts.", subcommands: [List.self, Show.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every documentation part of the API (the draft's).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String

        func run() async throws {
            try await reportingErrors {
                let definition = try storeOptions.open(.readOnly).existingDefinition(apiId: api)
                let documentation = definition.restApi.documentation
                print("version: \(documentation?.version ?? "-")")
                print("TYPE\tPATH\tMETHOD\tSTATUS\tNAME\tPROPERTIES")
                for part in documentation?.parts ?? [] {
                    let l = part.location
                    print("\(l.type)\t\(l.path ?? "*")\t\(l.method ?? "*")\t\(l.statusCode ?? "*")\t\(l.name ?? "*")\t\(part.properties)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What documents one entity: its own part, else the most specific part that covers it.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "The API id.") var api: String
        @Option(help: "The location type: API, RESOURCE, METHOD, RESPONSE, …") var type: String
        @Option(help: "The resource path.") var path: String?
        @Option(help: "The method.") var method: String?
        @Option(help: "The status code (RESPONSE, RESPONSE_HEADER, RESPONSE_BODY).") var statusCode: String?
        @Option(help: "The name (parameters, headers, models, authorizers).") var name: String?

        func run() async throws {
            try await reportingErrors {
                let definition = try storeOptions.open(.readOnly).existingDefinition(apiId: api)
                let target = DocumentationPart.Location(type: type.uppercased(), path: path, method: method, statusCode: statusCode, name: name)
                guard let part = DocumentationPart.effective(for: target, in: definition.restApi.documentation?.parts ?? []) else {
                    throw StoreError.notFound(what: "documentation for \(type.uppercased()) \(path ?? "") \(method ?? "")", hint: "`gatehouse docs list --api \(api)`")
                }
                print(part.properties)
            }
        }
    }
}
