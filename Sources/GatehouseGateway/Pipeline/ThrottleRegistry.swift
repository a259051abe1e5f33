import GatehouseCore
import NIOConcurrencyHelpers
import NIOCore

/// One token bucket shared by every connection that a limit covers; each call locks it briefly.
public final class SharedTokenBucket: Sendable {
    let key: String
    private let bucket: NIOLockedValueBox<TokenBucket>

    init(key: String, limit: ThrottleLimit, now: Double) {
        self.key = key
        bucket = NIOLockedValueBox(TokenBucket(limit: limit, now: now))
    }

    func take(now: Double) -> Bool { bucket.withLockedValue { $0.take(now: now) } }
    func giveBack() { bucket.withLockedValue { $0.giveBack() } }
    func update(limit: ThrottleLimit, now: Double) {
        bucket.withLockedValue { if $0.limit != limit { $0.update(limit: limit, now: now) } }
    }
    var tokens: Double { bucket.withLockedValue { $0.tokens } }
}

/// The worker's token buckets. A compiled configuration holds references to the buckets its methods use;
/// buckets keep their tokens when the configuration is swapped, and a changed limit is applied in place.
public final class ThrottleRegistry: Sendable {
    private let buckets = NIOLockedValueBox<[String: SharedTokenBucket]>([:])

    public init() {}

    public static func now() -> Double {
        Double(NIODeadline.now().uptimeNanoseconds) / 1_000_000_000
    }

    /// The buckets for `throttles`, created full on first use, with their limits brought up to date.
    public func buckets(for throttles: [AppliedThrottle], now: Double = ThrottleRegistry.now()) -> [SharedTokenBucket] {
        buckets.withLockedValue { buckets in
            throttles.map { throttle in
                if let existing = buckets[throttle.bucketKey] {
                    existing.update(limit: throttle.limit, now: now)
                    return existing
                }
                let made = SharedTokenBucket(key: throttle.bucketKey, limit: throttle.limit, now: now)
                buckets[throttle.bucketKey] = made
                return made
            }
        }
    }

    /// Takes a token from every bucket, or from none: returns the index of the first empty one.
    public static func acquire(_ buckets: [SharedTokenBucket], now: Double = ThrottleRegistry.now()) -> Int? {
        for (index, bucket) in buckets.enumerated() where !bucket.take(now: now) {
            for taken in buckets[..<index] { taken.giveBack() }
            return index
        }
        return nil
    }

    /// The tokens a bucket holds now, if it exists (for tests and the console).
    public func tokens(bucketKey: String) -> Double? {
        buckets.withLockedValue { $0[bucketKey]?.tokens }
    }
}
