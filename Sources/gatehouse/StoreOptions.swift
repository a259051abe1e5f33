import ArgumentParser
import Foundation
import GatehouseStore

/// `--store PATH`, shared by every command: default `$GATEHOUSE_STORE`, else `./gatehouse.db`.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The store file (default: $GATEHOUSE_STORE, else ./gatehouse.db).")
    var store: String?

    var path: String {
        store ?? ProcessInfo.processInfo.environment["GATEHOUSE_STORE"] ?? "gatehouse.db"
    }

    /// Opens the store for `access`: only `create` makes one; read commands never write.
    func open(_ access: Store.Access) throws -> Store {
        try Store(path: path, access: access)
    }
}

/// Prints an error as "error: …" on stderr and exits 1, instead of a stack of types.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
