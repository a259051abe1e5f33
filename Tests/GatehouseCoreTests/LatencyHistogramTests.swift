import Foundation
import GatehouseCore
import Testing

@Suite struct LatencyHistogramTests {
    @Test func quantilesWithinBucketError() throws {
        var histogram = LatencyHistogram()
        for i in 1...1000 { histogram.record(milliseconds: Double(i)) }
        let p50 = try #require(histogram.quantile(0.5))
        let p99 = try #require(histogram.quantile(0.99))
        #expect(abs(p50 - 500) / 500 < 0.05)
        #expect(abs(p99 - 990) / 990 < 0.05)
        #expect(LatencyHistogram().quantile(0.5) == nil)
    }

    @Test func mergeEqualsRecordingTogether() {
        var a = LatencyHistogram(), b = LatencyHistogram(), both = LatencyHistogram()
        for v in [0.3, 1.5, 12, 250] { a.record(milliseconds: v); both.record(milliseconds: v) }
        for v in [0.0001, 3, 3, 29_000, 500_000] { b.record(milliseconds: v); both.record(milliseconds: v) }
        a.merge(b)
        #expect(a == both)
        #expect(a.total == 9)
    }

    @Test func encodingRoundTripsAndRejectsGarbage() throws {
        var histogram = LatencyHistogram()
        for v in stride(from: 0.01, to: 5000, by: 7.3) { histogram.record(milliseconds: v) }
        let decoded = try #require(LatencyHistogram(encoded: histogram.encoded))
        #expect(decoded == histogram)
        #expect(LatencyHistogram(encoded: Data([0x85])) == nil)
        #expect(LatencyHistogram(encoded: Data([0xFF, 0x01, 0x01])) == nil)
        #expect(LatencyHistogram(encoded: Data()) == LatencyHistogram())
    }
}
