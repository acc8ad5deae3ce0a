import SignalHubCore
import SignalHubWire

/// The API endpoints of PROTOCOL.md §2, matched from a method and a path.
enum HTTPRoute: Sendable, Hashable {
    case callTokens
    case devLogin
    case listSessions
    case getSession(SessionID)
    case endSession(SessionID)
    case removeParticipant(SessionID, ParticipantID)
    case muteParticipant(SessionID, ParticipantID)
    case health
    case metrics
    /// The path names a session or participant ID that cannot exist.
    case unknownSession
    case notFound
    case methodNotAllowed

    enum Method: Sendable { case get, post, delete, other }

    var needsBody: Bool { self == .callTokens || self == .devLogin }

    /// Admin endpoints answer only to an admin token.
    var isAdmin: Bool {
        switch self {
        case .listSessions, .getSession, .endSession, .removeParticipant, .muteParticipant, .unknownSession: return true
        default: return false
        }
    }

    static func match(method: Method, path: String) -> HTTPRoute {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        func only(_ allowed: Method, _ route: HTTPRoute) -> HTTPRoute { method == allowed ? route : .methodNotAllowed }

        switch segments.count {
        case 1 where segments[0] == "healthz": return only(.get, .health)
        case 1 where segments[0] == "metrics": return only(.get, .metrics)
        default: break
        }
        guard segments.first == "v1" else { return .notFound }
        let rest = Array(segments.dropFirst())
        switch rest.count {
        case 2 where rest == ["calls", "tokens"]: return only(.post, .callTokens)
        case 2 where rest == ["dev", "login"]: return only(.post, .devLogin)
        case 1 where rest[0] == "sessions": return only(.get, .listSessions)
        case 2 where rest[0] == "sessions":
            guard method == .get || method == .delete else { return .methodNotAllowed }
            guard let id = SessionID(validating: rest[1]) else { return .unknownSession }
            return method == .get ? .getSession(id) : .endSession(id)
        case 4 where rest[0] == "sessions" && rest[2] == "participants":
            guard method == .delete else { return .methodNotAllowed }
            guard let id = SessionID(validating: rest[1]) else { return .unknownSession }
            return .removeParticipant(id, ParticipantID(rest[3]))
        case 5 where rest[0] == "sessions" && rest[2] == "participants" && rest[4] == "mute":
            guard method == .post else { return .methodNotAllowed }
            guard let id = SessionID(validating: rest[1]) else { return .unknownSession }
            return .muteParticipant(id, ParticipantID(rest[3]))
        default:
            return .notFound
        }
    }
}

/// What to do once an HTTP request's token has been checked off the service thread.
enum HTTPWork: Sendable {
    /// Answer as computed (token minting needs no hub state).
    case respond(status: UInt32, HTTPResponseBody)
    /// Run an admin route against the hub, on the service thread.
    case admin(HTTPRoute)
    /// Multi-node mode: an admin action done in Redis; answer 204.
    case noContent
}
