/// Per-socket message allowance (PROTOCOL.md `ERROR_RATE_LIMITED`): a token bucket for
/// messages, and a slowly draining count of refusals so that a socket which keeps pushing
/// past its allowance is closed rather than answered forever.
public struct RateLimit: Sendable, Hashable {
    /// Sustained messages per second; 0 turns limiting off. Default 50.
    public var messagesPerSecond: Double
    /// Messages that may arrive at once above the sustained rate. Default 100.
    public var burst: Double
    /// Refusals (draining by one per second) after which the socket is closed with 1008.
    /// Default 20.
    public var strikesBeforeClose: Double

    public init(messagesPerSecond: Double = 50, burst: Double = 100, strikesBeforeClose: Double = 20) {
        self.messagesPerSecond = messagesPerSecond
        self.burst = burst
        self.strikesBeforeClose = strikesBeforeClose
    }

    public static let unlimited = RateLimit(messagesPerSecond: 0, burst: 0, strikesBeforeClose: 0)
}

struct RateLimiter: Sendable {
    enum Verdict: Equatable { case allow, refuse, close }

    private var tokens: Double
    private var strikes: Double = 0
    private var lastMs: Int64

    init(limit: RateLimit, now: Int64) {
        tokens = limit.burst
        lastMs = now
    }

    mutating func admit(_ limit: RateLimit, now: Int64) -> Verdict {
        guard limit.messagesPerSecond > 0 else { return .allow }
        let elapsed = Double(max(0, now - lastMs)) / 1000
        lastMs = now
        tokens = min(limit.burst, tokens + elapsed * limit.messagesPerSecond)
        strikes = max(0, strikes - elapsed)
        if tokens >= 1 {
            tokens -= 1
            return .allow
        }
        strikes += 1
        return strikes > limit.strikesBeforeClose ? .close : .refuse
    }
}
