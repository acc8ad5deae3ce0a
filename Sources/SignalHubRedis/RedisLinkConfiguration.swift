/// Timings of a link to Redis, with their defaults.
public struct RedisLinkConfiguration: Sendable, Hashable {
    public var endpoint: RedisEndpoint
    /// How long a connect may take. Default 1 s.
    public var connectTimeoutMs = 1_000
    /// How long a command may wait for its reply before the connection counts as lost.
    /// Default 2 s.
    public var commandTimeoutMs = 2_000
    /// The pause between attempts to reconnect. Default 250 ms.
    public var reconnectDelayMs = 250

    public init(endpoint: RedisEndpoint) {
        self.endpoint = endpoint
    }
}
