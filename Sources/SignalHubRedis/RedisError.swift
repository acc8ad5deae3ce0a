/// Why a Redis call failed: the connection (refused, dropped, timed out), or Redis itself
/// answering with an error.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    case connection(String)
    case reply(String)
    /// The link is stopping or not connected; the command was never sent.
    case notConnected

    public var description: String {
        switch self {
        case .connection(let text): return "redis connection: \(text)"
        case .reply(let text): return "redis: \(text)"
        case .notConnected: return "redis: not connected"
        }
    }
}
