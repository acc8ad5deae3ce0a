/// When a silent socket gets a WebSocket ping and when it is dropped, as a pure decision
/// that the server's keepalive sweep asks once per socket per sweep.
///
/// Sweeps land late (timer slots, a busy loop), so a sweep can find a socket silent past
/// the timeout that no earlier sweep pinged. Dropping it then would drop a peer that
/// answers every ping. Instead it is pinged, and dropped only once it has had
/// `timeoutMs - intervalMs` to answer, as it would have had with punctual sweeps.
public struct KeepalivePolicy: Sendable, Hashable {
    public enum Decision: Sendable, Hashable {
        case none
        /// Send a ping; remember `now` as the moment it was asked for.
        case ping
        /// Close the socket: it stayed silent past the timeout and did not answer a ping.
        case drop
    }

    public let heartbeat: Heartbeat

    public init(heartbeat: Heartbeat) {
        self.heartbeat = heartbeat
    }

    /// How long the peer has to answer a ping before it is dropped.
    public var answerWindowMs: Int64 { heartbeat.timeoutMs - heartbeat.intervalMs }

    /// How far apart sweeps should be: a second, or less for a short heartbeat, so that
    /// pings and drops stay within a fraction of the configured times. `floorMs` is the
    /// timer's own granularity.
    public func sweepPeriodMs(floorMs: Int64) -> Int64 {
        max(floorMs, min(1_000, heartbeat.intervalMs / 2, answerWindowMs / 2))
    }

    /// - Parameters:
    ///   - lastHeardMs: when the peer last sent anything (a message or a pong).
    ///   - pingRequestedMs: when a ping was asked for since then, if one was.
    public func decide(now: Int64, lastHeardMs: Int64, pingRequestedMs: Int64?) -> Decision {
        let silent = now - lastHeardMs
        guard silent >= heartbeat.intervalMs else { return .none }
        guard let asked = pingRequestedMs else { return .ping }
        return silent >= heartbeat.timeoutMs && now - asked >= answerWindowMs ? .drop : .none
    }
}
