#if canImport(Glibc)
import Glibc
#endif
import SignalHubCore

/// Reads the two clocks the core needs.
enum ServiceClock {
    static func now() -> HubInstant {
        HubInstant(monotonicMs: milliseconds(CLOCK_MONOTONIC), unixMs: milliseconds(CLOCK_REALTIME))
    }

    static func milliseconds(_ clock: clockid_t) -> Int64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    static func monotonicMicroseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }
}
