import SignalHubCore

/// Why a client call failed. Hub refusals carry the protocol's error code.
public enum ClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The hub answered with a PROTOCOL.md error (`code`, `message`).
    case refused(ProtocolError, httpStatus: Int?)
    /// Could not reach the hub, or the connection broke.
    case connectionFailed(String)
    /// The socket closed; `code` is the hub's close code when it sent one.
    case closed(code: UInt16?)
    /// A reply the protocol does not describe.
    case unexpectedReply(String)
    /// The engine is not running.
    case engineStopped

    public var description: String {
        switch self {
        case .refused(let error, let status): return "\(error.code.rawValue): \(error.message)" + (status.map { " (HTTP \($0))" } ?? "")
        case .connectionFailed(let reason): return "connection failed: \(reason)"
        case .closed(let code): return "closed" + (code.map { " with \($0)" } ?? "")
        case .unexpectedReply(let what): return "unexpected reply: \(what)"
        case .engineStopped: return "the client engine is not running"
        }
    }

    /// The protocol error code, when the hub refused.
    public var code: ErrorCode? {
        if case .refused(let error, _) = self { return error.code }
        return nil
    }
}
