import Foundation
import GatehouseCore
import GatehouseDemo
import GatehouseGateway
import GatehouseStore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// The `gatehouse` binary built next to this test bundle (`swift build` builds it first).
enum Binary {
    static var gatehouse: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("gatehouse").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("gatehouse").path
    }
}

/// A temporary folder for one test.
struct TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A child process with its output collected; `line(containing:)` waits for a line. Started with `posix_spawn`
/// and every descriptor from 3 up closed in the child at exec (`Spawn.closeFrom`): Foundation's `Process` on
/// Linux closes the descriptors open when it scans them, so a socket another test's thread opened between the
/// scan and the spawn leaked into the child — a backend's close then never reached the gateway while a worker or
/// a Python server lived (the CI's "late mid-body cut"). Each pipe is read by a thread of its own until end of file.
final class ChildProcess: @unchecked Sendable {
    /// The child's pid (the name `process.processIdentifier` kept for the tests that read it).
    struct Identity { let processIdentifier: pid_t }

    let process: Identity
    let arguments: [String]
    private let lock = NSLock()
    private var stdoutText = ""
    private var stderrText = ""
    private var openPipes = 2
    private var exit: Int32?

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        self.arguments = arguments
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        // (Children of this helper close everything from 3 up, so the pipes need no close-on-exec for them.)
        guard pipe(&out) == 0, pipe(&err) == 0 else { throw TestFailure("pipe failed: errno \(errno)") }
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        guard Spawn.closeFrom(&actions, 3) else { throw TestFailure("posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34+)") }
        var merged = ProcessInfo.processInfo.environment
        if let environment { merged.merge(environment) { $1 } }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // Its own process group, as Foundation's `Process` does.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // and a clean signal state: no signal blocked (the test process's threads block some) and the usual ones
        // at their default action, as a shell would start it.
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(out[1])
        close(err[1])
        guard spawned == 0 else {
            close(out[0])
            close(err[0])
            throw TestFailure("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        process = Identity(processIdentifier: pid)
        for (fd, isOut) in [(out[0], true), (err[0], false)] {
            Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = read(fd, &buffer, buffer.count)
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { break }
                    let text = String(decoding: buffer[0..<count], as: UTF8.self)
                    lock.withLock { if isOut { stdoutText += text } else { stderrText += text } }
                }
                close(fd)
                lock.withLock { openPipes -= 1 }
            }.start()
        }
    }

    var stdout: String { lock.withLock { stdoutText } }
    var stderr: String { lock.withLock { stderrText } }

    /// Whether the child still runs (reaps it once it has exited).
    var isRunning: Bool {
        lock.withLock {
            if exit != nil { return false }
            var status: Int32 = 0
            let reaped = waitpid(process.processIdentifier, &status, WNOHANG)
            guard reaped == process.processIdentifier else { return reaped == 0 }
            // As Foundation's terminationStatus: the exit code, or the signal that ended it.
            exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : status & 0x7f
            return false
        }
    }

    /// Waits for a stdout line containing `text`.
    func line(containing text: String, timeout: Double = 20) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            // Complete lines only: a line still being written ("listening" before its port) is not the line.
            let complete = stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if let line = complete.first(where: { $0.contains(text) }) { return String(line) }
            if !isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("no line containing '\(text)' from \(arguments); stdout: \(stdout) stderr: \(stderr)")
    }

    func waitForExit(timeout: Double = 30) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            if Date() > deadline {
                signal(SIGTERM)
                throw TestFailure("process did not exit in \(timeout) s: \(arguments); stdout: \(stdout.suffix(2000)) stderr: \(stderr.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Everything the child wrote has been read once both readers reach end of file (a grandchild that kept
        // the pipe open does not hold this up for long).
        let drained = Date().addingTimeInterval(5)
        while lock.withLock({ openPipes }) > 0 && Date() < drained {
            try await Task.sleep(for: .milliseconds(10))
        }
        return lock.withLock { exit ?? -1 }
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    deinit {
        // Ended and reaped, so no zombie outlives the test.
        if isRunning {
            let pid = process.processIdentifier
            kill(pid, SIGTERM)
            Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            }.start()
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion: exit status and output.
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
    let child = try ChildProcess(executable, arguments, environment: environment)
    let status = try await child.waitForExit(timeout: 60)
    return (status, child.stdout, child.stderr)
}

/// A copy of the `gatehouse` binary at `path`, made by `cp` in a child process: a copy written by this
/// process could still be open in a process forked meanwhile by a parallel test, and exec would fail with
/// ETXTBSY ("Text file busy").
func copyGatehouse(to path: String) async throws {
    let copied = try await run("/bin/cp", [Binary.gatehouse, path])
    guard copied.status == 0 else { throw TestFailure("cp failed: \(copied.stderr)") }
}

/// A store file `g.db` in `dir` with the sample API (or `apiText`) imported through the CLI and, unless `deploy` is false,
/// deployed to stage `prod` with `backend` as its backend.
func sampleStore(_ dir: TempDir, apiText: String = SampleAPI.openAPI, backend: String = "127.0.0.1:9", deploy: Bool = true) async throws -> (db: String, apiId: String) {
    try await sampleStore(folder: dir.url.path, apiText: apiText, backend: backend, deploy: deploy)
}

/// `sampleStore` in any folder.
func sampleStore(folder: String, apiText: String = SampleAPI.openAPI, backend: String = "127.0.0.1:9", deploy: Bool = true) async throws -> (db: String, apiId: String) {
    let db = folder + "/g.db"
    let spec = folder + "/api.yaml"
    try apiText.write(toFile: spec, atomically: true, encoding: .utf8)
    let imported = try await run(Binary.gatehouse, ["import", spec, "--store", db])
    guard imported.status == 0 else { throw TestFailure("import failed: \(imported.stderr)") }
    let apiId = imported.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    if deploy {
        let deployed = try await run(Binary.gatehouse, ["deploy", "--store", db, "--api", apiId, "--stage", "prod", "--var", "backend=\(backend)"])
        guard deployed.status == 0 else { throw TestFailure("deploy failed: \(deployed.stderr)") }
    }
    return (db, apiId)
}

/// `gatehouse serve` on an ephemeral port over `db`, once it says it is serving: the process and its port.
func startWorker(_ db: String, admin: Bool = false, arguments: [String] = []) async throws -> (ChildProcess, Int) {
    let worker = try ChildProcess(Binary.gatehouse, ["serve", "--store", db, "--listen", "127.0.0.1:0", "--log-level", "warning"]
                                  + (admin ? ["--admin", "127.0.0.1:0"] : []) + arguments)
    let line = try await worker.line(containing: "serving")
    guard let port = line.split(separator: ":").last.flatMap({ Int($0) }) else { throw TestFailure("no port in \(line)") }
    return (worker, port)
}

/// Runs `gatehouse ARGS`.
func gatehouse(_ arguments: String...) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await run(Binary.gatehouse, arguments)
}

/// Runs curl: `-s` and the given arguments.
func curl(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await run("/usr/bin/env", ["curl", "-s", "--max-time", "20"] + arguments)
}

/// The sample backend as a real process of its own.
final class BackendProcess: Sendable {
    let child: ChildProcess
    let port: Int

    init() async throws {
        child = try ChildProcess(Binary.gatehouse, ["sample-backend", "--listen", "127.0.0.1:0"])
        let line = try await child.line(containing: "listening on")
        guard let port = line.split(separator: ":").last.flatMap({ Int($0) }) else { throw TestFailure("no port in '\(line)'") }
        self.port = port
    }

    func stop() { child.signal(SIGKILL) }
}

/// OpenAPI documents parsed once per test process. Parsing throws and catches many errors inside Yams and
/// OpenAPIKit, and swift-testing captures a backtrace for each thrown error: parsed per harness, the sample API
/// kept both cooperative threads busy for seconds and starved every other test's tasks.
final class ParsedAPIs: Sendable {
    static let shared = ParsedAPIs()
    private let cache = NIOLockedValueBox<[String: ApiDefinition]>([:])

    func definition(_ text: String) throws -> ApiDefinition {
        if let cached = cache.withLockedValue({ $0[text] }) { return cached }
        let parsed = try OpenAPIImporter.parse(text, apiId: "parsed").definition
        cache.withLockedValue { $0[text] = parsed }
        return parsed
    }
}

/// A worker run in-process on an ephemeral port, over a real store file, with the sample API deployed
/// to stage `prod` pointing at a real backend.
final class GatewayHarness: Sendable {
    let dir: TempDir
    let store: Store
    let gateway: Gateway
    let task: Task<Void, Error>
    let port: Int
    let apiId: String

    static func start(backendPort: Int, apiText: String = SampleAPI.openAPI, storeBusyTimeout: TimeInterval = Store.busyTimeout,
                      prepare: (Store, String) throws -> Void = { _, _ in },
                      configure: (inout GatewayOptions) -> Void = { _ in }) async throws -> GatewayHarness {
        let dir = try TempDir()
        let store = try Store(path: dir.path("gatehouse.db"), busyTimeout: storeBusyTimeout)
        let actor = Actor(name: "test", source: "test")
        var definition = try ParsedAPIs.shared.definition(apiText)
        definition.restApi.id = Identifiers.make()
        try store.putApi(definition, mode: .overwrite, actor: actor)
        try store.deploy(apiId: definition.restApi.id, stageName: "prod", description: nil,
                         variables: ["backend": "127.0.0.1:\(backendPort)"], actor: actor)
        try prepare(store, definition.restApi.id)
        var options = GatewayOptions()
        options.port = 0
        options.threads = 1
        options.configPollInterval = 0.1
        options.telemetryFlushInterval = 0.1
        configure(&options)
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let gateway = try Gateway(store: store, options: options, logger: logger, handleSignals: false)
        let (address, _) = try await gateway.bind()
        let task = Task { try await gateway.run() }
        return GatewayHarness(dir: dir, store: store, gateway: gateway, task: task, port: address.port ?? 0, apiId: definition.restApi.id)
    }

    private init(dir: TempDir, store: Store, gateway: Gateway, task: Task<Void, Error>, port: Int, apiId: String) {
        self.dir = dir
        self.store = store
        self.gateway = gateway
        self.task = task
        self.port = port
        self.apiId = apiId
    }

    func url(_ path: String, stage: String = "prod") -> String {
        "http://127.0.0.1:\(port)/restapis/\(apiId)/\(stage)/_user_request_\(path)"
    }

    func stop() async throws {
        await gateway.shutdown()
        try await task.value
        dir.remove()
    }
}

/// Status code and body of a curl call that ends with `-w '\n%{http_code}'`.
func statusAndBody(_ output: String) -> (Int, String) {
    var lines = output.split(separator: "\n", omittingEmptySubsequences: false)
    let status = Int(lines.popLast() ?? "") ?? 0
    return (status, lines.joined(separator: "\n"))
}

/// Sends raw bytes over TCP and returns what came back until the server closed (or `timeout`). The client
/// has its own event loop: on the shared singleton, another test's thousands of connections would delay it.
func rawExchange(port: Int, bytes: String, timeout: Double = 15) async throws -> (response: String, closedInSeconds: Double) {
    let result = try await rawExchangeTimed(port: port, bytes: bytes, timeout: timeout)
    return (result.response, result.closedInSeconds)
}

/// `rawExchange`, also saying when the bytes were written (seconds from the start): on a loaded machine the
/// client may only get to send well after connecting, and a server timer runs from what it receives.
func rawExchangeTimed(port: Int, bytes: String, timeout: Double = 15) async throws -> (response: String, sentInSeconds: Double, closedInSeconds: Double) {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    defer { group.shutdownGracefully { _ in } }
    let started = Date()
    let channel = try await ClientBootstrap(group: group)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    return try await channel.executeThenClose { inbound, outbound in
        if !bytes.isEmpty { try await outbound.write(ByteBuffer(string: bytes)) }
        let sent = Date().timeIntervalSince(started)
        var received = ""
        let collected = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                var text = ""
                for try await chunk in inbound { text += String(buffer: chunk) }
                return text
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        received = collected ?? "<still open after \(timeout) s>"
        return (received, sent, Date().timeIntervalSince(started))
    }
}

/// Runs `body` against a worker in front of a fresh backend process, and stops both afterwards.
func withGateway(prepare: (Store, String) throws -> Void = { _, _ in },
                 configure: (inout GatewayOptions) -> Void = { _ in },
                 _ body: (GatewayHarness, BackendProcess) async throws -> Void) async throws {
    let backend = try await BackendProcess()
    defer { backend.stop() }
    let gateway = try await GatewayHarness.start(backendPort: backend.port, prepare: prepare, configure: configure)
    do {
        try await body(gateway, backend)
    } catch {
        try? await gateway.stop()
        throw error
    }
    try await gateway.stop()
}

/// `waitUntil` with a condition that awaits (a curl call, say).
func waitUntilAsync(_ what: String, timeout: Double = 10, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TestFailure("timed out waiting for \(what)")
}

/// Polls `condition` every 100 ms until it holds, or fails naming `what` after `timeout` seconds.
func waitUntil(_ what: String, timeout: Double = 10, _ condition: () throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TestFailure("timed out waiting for \(what)")
}

/// A small HTTP server written in Python (an issuer, an authorizer) as a process of its own: it prints
/// `listening PORT` once bound; returns the process and its base URL.
func pythonServer(_ script: String, _ arguments: [String] = []) async throws -> (ChildProcess, String) {
    let server = try ChildProcess("/usr/bin/env", ["python3", "-c", script] + arguments)
    let port = try await server.line(containing: "listening").split(separator: " ").last.map(String.init) ?? ""
    return (server, "http://127.0.0.1:\(port)")
}
