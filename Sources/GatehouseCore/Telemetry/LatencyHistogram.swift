import Foundation

/// Latencies counted in fixed log-scale buckets (8 per doubling, 1 µs to ~4.5 min), so histograms of any
/// seconds and any methods merge exactly by adding counts, and p50/p90/p99 come out within ±4.5 %.
public struct LatencyHistogram: Sendable, Equatable {
    public static let bucketsPerOctave = 8
    public static let bucketCount = 28 * bucketsPerOctave + 2

    /// Counts by bucket index; sparse.
    public private(set) var counts: [Int: Int] = [:]
    public private(set) var total: Int = 0

    public init() {}

    /// The bucket that holds `milliseconds`.
    public static func bucket(forMilliseconds milliseconds: Double) -> Int {
        let micros = milliseconds * 1000
        guard micros >= 1 else { return 0 }
        let index = Int((log2(micros) * Double(bucketsPerOctave)).rounded(.down)) + 1
        return min(max(index, 1), bucketCount - 1)
    }

    /// The value (ms) that stands for a bucket: its geometric middle.
    public static func representative(ofBucket index: Int) -> Double {
        guard index > 0 else { return 0.0005 }
        let exponent = (Double(index - 1) + 0.5) / Double(bucketsPerOctave)
        return pow(2, exponent) / 1000
    }

    public mutating func record(milliseconds: Double, count: Int = 1) {
        guard count > 0 else { return }
        counts[Self.bucket(forMilliseconds: milliseconds), default: 0] += count
        total += count
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for (index, count) in other.counts { counts[index, default: 0] += count }
        total += other.total
    }

    /// The latency (ms) at quantile `q` (0…1), or `nil` when empty.
    public func quantile(_ q: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for index in counts.keys.sorted() {
            seen += counts[index] ?? 0
            if seen >= rank { return Self.representative(ofBucket: index) }
        }
        return counts.keys.max().map(Self.representative(ofBucket:))
    }

    /// Mean latency (ms) from bucket representatives, or `nil` when empty.
    public var mean: Double? {
        guard total > 0 else { return nil }
        let sum = counts.reduce(0.0) { $0 + Self.representative(ofBucket: $1.key) * Double($1.value) }
        return sum / Double(total)
    }

    // MARK: Encoding

    /// A compact binary form for the store: pairs of (bucket, count) as unsigned LEB128 varints.
    public var encoded: Data {
        var data = Data()
        data.reserveCapacity(counts.count * 3)
        for index in counts.keys.sorted() {
            Self.appendVarint(UInt64(index), to: &data)
            Self.appendVarint(UInt64(counts[index] ?? 0), to: &data)
        }
        return data
    }

    /// Decodes `encoded`; malformed bytes yield `nil`.
    public init?(encoded data: Data) {
        let bytes = [UInt8](data)
        var position = 0
        while position < bytes.count {
            guard let index = Self.readVarint(bytes, &position),
                  let count = Self.readVarint(bytes, &position),
                  index < UInt64(Self.bucketCount), count <= UInt64(Int.max) else { return nil }
            counts[Int(index), default: 0] += Int(count)
            total += Int(count)
        }
    }

    private static func appendVarint(_ value: UInt64, to data: inout Data) {
        var v = value
        while v >= 0x80 {
            data.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        data.append(UInt8(v))
    }

    private static func readVarint(_ bytes: [UInt8], _ position: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }
}
