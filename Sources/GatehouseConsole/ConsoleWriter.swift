import Foundation
import GatehouseStore

/// The console's writes, one at a time on their own thread and connection: a save against a store another
/// process holds locked waits here (up to the busy timeout) while the screen stays live, and its result is
/// picked up by the loop.
final class ConsoleWriter: @unchecked Sendable {
    private let storePath: String
    private let queue = DispatchQueue(label: "gatehouse.console.writes")
    private let lock = NSLock()
    /// Only touched on `queue`.
    private var store: Store?
    private var results: [ConsoleAction] = []
    /// Writes submitted and not finished.
    private var pending = 0

    init(storePath: String) {
        self.storePath = storePath
    }

    /// Opens the store for writing (upgrading an older schema) ahead of the first save.
    func prepare() {
        queue.async { [self] in _ = try? openStore() }
    }

    /// Runs `body` on the writer's connection; its outcome becomes an action for the loop.
    func submit(label: String, done: String, failed: String, _ body: @escaping @Sendable (Store) throws -> Void) {
        lock.withLock { pending += 1 }
        queue.async { [self] in
            let result: ConsoleAction
            do {
                try body(try openStore())
                result = .effectSucceeded(done, started: label)
            } catch {
                result = .effectFailed("\(failed): \(error)", started: label)
            }
            lock.withLock {
                results.append(result)
                pending -= 1
            }
        }
    }

    /// The outcomes finished since the last call.
    func takeResults() -> [ConsoleAction] {
        lock.withLock {
            defer { results.removeAll() }
            return results
        }
    }

    /// Returns once every submitted write has finished (at once when none is pending: opening the store ahead
    /// of a first save is not waited for).
    func waitUntilIdle() {
        guard lock.withLock({ pending }) > 0 else { return }
        queue.sync {}
    }

    private func openStore() throws -> Store {
        if let store { return store }
        let opened = try Store(path: storePath, access: .readWrite)
        store = opened
        return opened
    }
}
