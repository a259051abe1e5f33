import GatehouseCore
import NIOConcurrencyHelpers
import NIOCore

/// The worker's token buckets, shared by every connection. Buckets are created on first use and keep
/// their tokens when the configuration is swapped; a changed limit is applied in place.
public final class ThrottleRegistry: Sendable {
    private let buckets = NIOLockedValueBox<[String: TokenBucket]>([:])

    public init() {}

    public static func now() -> Double {
        Double(NIODeadline.now().uptimeNanoseconds) / 1_000_000_000
    }

    /// Takes a token from every bucket in `throttles`, or from none: returns the first empty one.
    public func acquire(_ throttles: [AppliedThrottle], now: Double = ThrottleRegistry.now()) -> AppliedThrottle? {
        buckets.withLockedValue { buckets in
            for throttle in throttles {
                var bucket = buckets[throttle.bucketKey] ?? TokenBucket(limit: throttle.limit, now: now)
                if bucket.limit != throttle.limit { bucket.update(limit: throttle.limit, now: now) }
                let ok = bucket.canTake(now: now)
                buckets[throttle.bucketKey] = bucket
                if !ok { return throttle }
            }
            for throttle in throttles { _ = buckets[throttle.bucketKey]?.take(now: now) }
            return nil
        }
    }

    /// The tokens a bucket holds now, if it exists (for tests and the console).
    public func tokens(bucketKey: String) -> Double? {
        buckets.withLockedValue { $0[bucketKey]?.tokens }
    }
}
