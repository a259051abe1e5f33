import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse key create|list|show|enable|disable|delete`: API keys (AWS's `ApiKey`), values shown only on
/// creation and with `show --value`.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Create, list, show, enable, disable and delete API keys.",
        discussion: "Usage plans, which give keys access to stages with limits and quotas, come next; until then a method that requires a key is refused, not served open.",
        subcommands: [Create.self, Import.self, List.self, Show.self, Enable.self, Disable.self, Delete.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create keys from an ImportApiKeys CSV (Name,Key,Description,Enabled,UsagePlanIds); prints id, name and value per key.",
            discussion: "All or nothing: a bad line, a value already in use or an unknown plan imports no key, and the error names the line. A row without a Key gets a generated value.")

        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            try await reportingErrors {
                let text: String
                do {
                    text = try String(contentsOfFile: file, encoding: .utf8)
                } catch {
                    throw ValidationError("cannot read \(file): \(error.localizedDescription)")
                }
                let rows: [ApiKeyImport.Row]
                do {
                    rows = try ApiKeyImport.parse(text)
                } catch let error as ApiKeyImport.ImportError {
                    throw ValidationError("\(file) was not imported:\n\(error.description)")
                }
                let keys = try storeOptions.open(.readWrite).importApiKeys(rows, actor: Actor.current(source: "cli"))
                for key in keys { print("\(key.id)\t\(key.name)\t\(key.value ?? "")") }
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; prints its id and value (generated unless --value is given).")

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "A name for the key.") var name: String
        @Option(help: "The key's value (20 to 128 printable characters); by default 40 random letters and digits.") var value: String?
        @Option(help: "A free-form customer id (AWS's customerId, for billing with AWS Marketplace).") var customerId: String?
        @Option(help: "A description.") var description = ""
        @Flag(help: "Create the key disabled.") var disabled = false

        func validate() throws {
            if let value, let problem = ApiKey.problem(withValue: value) { throw ValidationError("--value: \(problem)") }
        }

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open(.readWrite)
                let key = try store.createApiKey(name: name, value: value, description: description, customerId: customerId,
                                                 enabled: !disabled, actor: Actor.current(source: "cli"))
                print("\(key.id)\t\(key.value ?? "")")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys (without their values).")

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                let keys = try storeOptions.open(.readOnly).apiKeys()
                print(pad("ID", 12) + pad("NAME", 24) + pad("STATE", 10) + pad("CUSTOMER", 16) + "CREATED")
                for key in keys {
                    print(pad(key.id, 12) + pad(key.name, 24) + pad(key.enabled ? "enabled" : "disabled", 10)
                          + pad(key.customerId ?? "-", 16) + isoDate(key.created))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one key; its value only with --value.")

        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The key's id.") var id: String
        @Flag(help: "Also print the key's value.") var value = false

        func run() async throws {
            try await reportingErrors {
                let key = try storeOptions.open(.readOnly).apiKey(id: id, value: value)
                print("id:          \(key.id)")
                print("name:        \(key.name)")
                print("state:       \(key.enabled ? "enabled" : "disabled")")
                if !key.description.isEmpty { print("description: \(key.description)") }
                if let customer = key.customerId { print("customer:    \(customer)") }
                print("created:     \(isoDate(key.created))")
                print("updated:     \(isoDate(key.lastUpdated))")
                if let secret = key.value { print("value:       \(secret)") }
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a key.")

        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The key's id.") var id: String

        func run() async throws {
            try await KeyCommand.setEnabled(true, id: id, storeOptions)
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a key: calls with it are refused as with an unknown key.")

        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The key's id.") var id: String

        func run() async throws {
            try await KeyCommand.setEnabled(false, id: id, storeOptions)
        }
    }

    /// `enable` and `disable`.
    static func setEnabled(_ enabled: Bool, id: String, _ storeOptions: StoreOptions) async throws {
        try await reportingErrors {
            try storeOptions.open(.readWrite).setApiKeyEnabled(id: id, enabled: enabled, actor: Actor.current(source: "cli"))
            print("\(id) \(enabled ? "enabled" : "disabled")")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a key.")

        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The key's id.") var id: String

        func run() async throws {
            try await reportingErrors {
                try storeOptions.open(.readWrite).deleteApiKey(id: id, actor: Actor.current(source: "cli"))
                print("\(id) deleted")
            }
        }
    }
}

/// `2026-11-28T01:02:03Z`.
func isoDate(_ date: Date) -> String {
    ISO8601DateFormatter().string(from: date)
}
