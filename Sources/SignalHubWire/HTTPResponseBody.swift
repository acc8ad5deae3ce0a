import CJansson
import SignalHubCore

/// The JSON bodies of the HTTP API (PROTOCOL.md §2).
public enum HTTPResponseBody: Sendable, Hashable {
    case error(ProtocolError)
    case callToken(token: String, sessionID: SessionID, uid: String, expiresAt: Int64)
    case devLogin(authToken: String, uid: String, expiresAt: Int64)
    case sessions([SessionSummary])
    case session(sessionID: SessionID, seq: UInt64, participants: [Participant])
    case status(String)
}

enum HTTPResponseJSON {
    typealias J = JanssonBuilder

    static func node(for body: HTTPResponseBody) -> J.Node {
        let node = J.object()
        switch body {
        case .error(let error):
            let inner = J.object()
            J.set(inner, "code", J.string(error.code.rawValue))
            J.set(inner, "message", J.string(error.message))
            J.set(node, "error", inner)
        case .callToken(let token, let sessionID, let uid, let expiresAt):
            J.set(node, "token", J.string(token))
            J.set(node, "sessionId", J.string(sessionID.rawValue))
            J.set(node, "uid", J.string(uid))
            J.set(node, "expiresAt", J.integer(expiresAt))
        case .devLogin(let authToken, let uid, let expiresAt):
            J.set(node, "authToken", J.string(authToken))
            J.set(node, "uid", J.string(uid))
            J.set(node, "expiresAt", J.integer(expiresAt))
        case .sessions(let list):
            let array = J.array()
            for summary in list {
                let item = J.object()
                J.set(item, "sessionId", J.string(summary.sessionID.rawValue))
                J.set(item, "participantCount", J.integer(Int64(summary.participantCount)))
                J.set(item, "seq", J.integer(Int64(summary.seq)))
                J.append(array, item)
            }
            J.set(node, "sessions", array)
        case .session(let sessionID, let seq, let participants):
            J.set(node, "sessionId", J.string(sessionID.rawValue))
            J.set(node, "seq", J.integer(Int64(seq)))
            J.set(node, "participants", ServerMessageJSON.participants(participants))
        case .status(let status):
            J.set(node, "status", J.string(status))
        }
        return node
    }
}
