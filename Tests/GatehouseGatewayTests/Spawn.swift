import Foundation

/// Runs a program as a shell would (same session, stdin from /dev/null, stdout and stderr into `output`) with
/// every other descriptor of this process closed in the child, and waits for it on a thread of its own.
/// `system()` hands the child every socket the test process has open (NIO creates them without
/// close-on-exec): a tmux server started that way kept other tests' connections open until it was killed,
/// so a backend's close or a worker's cut never reached its peer (seen as 15 s stalls).
enum Spawn {
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// Adds "close every descriptor from `lowest` up" to `actions` (done by the child at exec, atomically: no
    /// descriptor another thread opens meanwhile can slip through). glibc 2.34+ has
    /// `posix_spawn_file_actions_addclosefrom_np`; Swift's Glibc module does not import it. False when missing.
    static func closeFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) -> Bool {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return false }
        return unsafeBitCast(symbol, to: CloseFrom.self)(&actions, lowest) == 0
    }

    /// Exit status (as `waitpid` reports it), or -1 when the program could not be started.
    static func run(_ arguments: [String], output: String) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: runBlocking(arguments, output: output)) }.start()
        }
    }

    private static func runBlocking(_ arguments: [String], output: String) -> Int32 {
        guard let program = arguments.first else { return -1 }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        guard closeFrom(&actions, 3) else { return -1 }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // A clean signal state, as a shell gives: the test process's threads block signals, and a tmux server that
        // inherited that mask (and the shell in its pane) outlived `kill-server` with its console still running.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        guard posix_spawnp(&pid, program, &actions, &attributes, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }
}
