/// The time an input happened, given to the core by its caller: the core reads no clock.
public struct HubInstant: Sendable, Hashable {
    /// Monotonic milliseconds, for deadlines.
    public var monotonicMs: Int64
    /// Unix milliseconds, for `joinedAt` and `serverTime`.
    public var unixMs: Int64

    public init(monotonicMs: Int64, unixMs: Int64) {
        self.monotonicMs = monotonicMs
        self.unixMs = unixMs
    }
}
