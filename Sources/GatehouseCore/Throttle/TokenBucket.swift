/// Token-bucket arithmetic: refills at `rate` tokens per second up to `burst`, one token per request.
/// Time is passed in, so the math is deterministic and testable.
public struct TokenBucket: Sendable, Equatable {
    public private(set) var limit: ThrottleLimit
    public private(set) var tokens: Double
    private var lastRefill: Double

    /// A full bucket at time `now` (seconds, any monotonic origin).
    public init(limit: ThrottleLimit, now: Double) {
        self.limit = limit
        self.tokens = Double(limit.burst)
        self.lastRefill = now
    }

    /// Adds the tokens earned since the last refill.
    public mutating func refill(now: Double) {
        let elapsed = max(0, now - lastRefill)
        tokens = min(Double(limit.burst), tokens + elapsed * limit.rate)
        lastRefill = now
    }

    /// Whether a request may pass now (without taking a token).
    public mutating func canTake(now: Double) -> Bool {
        refill(now: now)
        return tokens >= 1
    }

    /// Takes one token if there is one.
    public mutating func take(now: Double) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Returns a token taken for a request that another bucket then refused.
    public mutating func giveBack() {
        tokens = min(Double(limit.burst), tokens + 1)
    }

    /// Changes the limit in place, keeping the tokens the bucket has (clamped to the new burst).
    public mutating func update(limit newLimit: ThrottleLimit, now: Double) {
        refill(now: now)
        limit = newLimit
        tokens = min(tokens, Double(newLimit.burst))
    }

    /// Replays per-second request counts through a bucket of `limit`, starting full; returns how many
    /// requests it would have rejected. Used to preview a new limit against recorded traffic.
    public static func rejections(limit: ThrottleLimit, countsPerSecond: [Int]) -> Int {
        var bucket = TokenBucket(limit: limit, now: 0)
        var rejected = 0
        for (second, count) in countsPerSecond.enumerated() where count > 0 {
            // Spread the second's requests evenly across it.
            for i in 0..<count {
                let t = Double(second) + Double(i) / Double(count)
                if !bucket.take(now: t) { rejected += 1 }
            }
        }
        return rejected
    }
}
