import Histogram

/// Latencies in microseconds, recorded into an HdrHistogram (1 us to 60 s, 3 digits).
struct LatencyRecorder: Sendable {
    private var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(microseconds: Int64) {
        _ = histogram.record(UInt64(max(1, microseconds)))
    }

    var count: UInt64 { histogram.totalCount }

    /// p50, p90, p99, p99.9 and max, in milliseconds.
    var summary: LatencySummary {
        guard count > 0 else { return LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0) }
        func ms(_ value: UInt64) -> Double { Double(value) / 1000 }
        return LatencySummary(
            count: count, p50: ms(histogram.valueAtPercentile(50)), p90: ms(histogram.valueAtPercentile(90)),
            p99: ms(histogram.valueAtPercentile(99)), p999: ms(histogram.valueAtPercentile(99.9)), max: ms(histogram.max))
    }
}

struct LatencySummary: Sendable, Codable {
    let count: UInt64
    let p50: Double
    let p90: Double
    let p99: Double
    let p999: Double
    let max: Double
}
