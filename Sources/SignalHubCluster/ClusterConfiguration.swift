import SignalHubRedis

/// How a hub node joins a cluster, with defaults.
public struct ClusterConfiguration: Sendable, Hashable {
    public var redis: RedisLinkConfiguration
    /// Prefix of every Redis key and of the bus channel; nodes with the same Redis and
    /// prefix form one cluster. Default `signalhub:`.
    public var keyPrefix = "signalhub:"
    /// This node's name in the cluster; unique per running node.
    public var nodeID: String
    /// A node whose heartbeat is this old counts as dead, and the others remove its
    /// participants (`disconnected`). Heartbeats go out four times per period, and the
    /// others look for dead nodes as often, so removal comes within 1.25 periods. Default 10 s.
    public var nodeTimeoutMs = 10_000
    /// Roster events kept per session in Redis for resumes on any node. Default 256.
    public var historyLimit = 256

    public init(redis: RedisLinkConfiguration, nodeID: String) {
        self.redis = redis
        self.nodeID = nodeID
    }

    var tickIntervalMs: Int { max(50, nodeTimeoutMs / 4) }
}
