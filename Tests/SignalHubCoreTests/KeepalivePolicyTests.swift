import SignalHubCore
import Testing

@Suite("keepalive: when a silent socket is pinged and when it is dropped")
struct KeepalivePolicyTests {
    let policy = KeepalivePolicy(heartbeat: Heartbeat(intervalMs: 1_000, timeoutMs: 2_000))

    @Test func aSocketHeardWithinTheIntervalIsLeftAlone() {
        #expect(policy.decide(now: 10_999, lastHeardMs: 10_000, pingRequestedMs: nil) == .none)
    }

    @Test func aSocketSilentForTheIntervalIsPingedOnce() {
        #expect(policy.decide(now: 11_000, lastHeardMs: 10_000, pingRequestedMs: nil) == .ping)
        #expect(policy.decide(now: 11_500, lastHeardMs: 10_000, pingRequestedMs: 11_000) == .none)
    }

    @Test func aPingedSocketSilentPastTheTimeoutIsDropped() {
        #expect(policy.decide(now: 11_999, lastHeardMs: 10_000, pingRequestedMs: 11_000) == .none)
        #expect(policy.decide(now: 12_000, lastHeardMs: 10_000, pingRequestedMs: 11_000) == .drop)
    }

    /// The sweep before was at 10_990 (silent 0.99 s: no ping), this one is late: a peer
    /// that answers pings must get one, and the rest of the timeout to answer it.
    @Test func aLateSweepPingsBeforeItDrops() {
        #expect(policy.decide(now: 12_040, lastHeardMs: 10_000, pingRequestedMs: nil) == .ping)
        #expect(policy.decide(now: 12_500, lastHeardMs: 10_000, pingRequestedMs: 12_040) == .none)
        #expect(policy.decide(now: 13_040, lastHeardMs: 10_000, pingRequestedMs: 12_040) == .drop)
    }

    @Test func sweepsAreASecondApartOrCloserForAShortHeartbeat() {
        let defaults = KeepalivePolicy(heartbeat: Heartbeat(intervalMs: 20_000, timeoutMs: 30_000))
        #expect(defaults.sweepPeriodMs(floorMs: 50) == 1_000)
        #expect(policy.sweepPeriodMs(floorMs: 50) == 500)
        let tight = KeepalivePolicy(heartbeat: Heartbeat(intervalMs: 1_000, timeoutMs: 1_060))
        #expect(tight.sweepPeriodMs(floorMs: 50) == 50)
    }
}
