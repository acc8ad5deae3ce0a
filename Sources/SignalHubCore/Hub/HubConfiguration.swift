/// The limits and timings of the roster logic. Every default is PROTOCOL.md's.
public struct HubConfiguration: Sendable, Hashable {
    /// How long a dropped socket's participant stays in the roster, waiting for a resume,
    /// before it leaves with reason `disconnected`. 0 removes it at once. Default 10 s.
    public var gracePeriodMs: Int64 = 10_000
    /// How long a new socket may take to send a successful `join`. Default 10 s.
    public var joinTimeoutMs: Int64 = 10_000
    /// Failed joins on one socket before it is closed with 1008. Default 3.
    public var maxFailedJoins: Int = 3
    /// The most participants one session holds; the next join gets `ERROR_SESSION_FULL`.
    /// Default 200.
    public var maxParticipantsPerSession: Int = 200
    /// Announced to clients in `joined`; the adapter enforces it. Default 20 s / 30 s.
    public var heartbeat = Heartbeat(intervalMs: 20_000, timeoutMs: 30_000)
    /// Roster events kept per session for replay on resume; older gaps get a `roster`
    /// snapshot instead. Default 256.
    public var eventHistoryLimit: Int = 256
    /// Per-socket message allowance. Default 50/s sustained, bursts of 100.
    public var rateLimit = RateLimit()
    /// Multi-node mode: the roster lives in a shared store that numbers every change, and
    /// this hub keeps replicas of the sessions it hosts members of (`SharedRosterCommand`).
    /// Default false: the roster lives here alone.
    public var sharedRoster = false

    public init() {}
}
