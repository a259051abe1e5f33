import Foundation

/// The worker's open-file budget: a descriptor per client connection, plus the upstream pools (at most
/// `--max-upstream-connections` per backend on each event loop). Running out makes the kernel queue new
/// connections unanswered (accept fails with EMFILE), so `serve` raises its soft limit toward the hard one at
/// start and says when `--max-connections` cannot fit.
enum FileLimit {
    /// Descriptors kept for the store, the listeners, event loops and logs.
    static let reserve = 256

    /// Raises the soft `RLIMIT_NOFILE` toward what the worker needs (its client connections, one backend's
    /// upstream pools on every loop, and the reserve), never past the hard limit; returns the soft limit now in
    /// force and the number needed.
    static func raise(maxConnections: Int, upstreamPerLoop: Int, loops: Int) -> (limit: Int, needed: Int) {
        let needed = maxConnections + upstreamPerLoop * loops + reserve
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (Int.max, needed) }
        let wanted = rlim_t(needed)
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = min(wanted, limit.rlim_max)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return (limit.rlim_cur >= rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur), needed)
    }
}
