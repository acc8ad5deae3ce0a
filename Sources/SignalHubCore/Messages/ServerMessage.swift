/// A message from the hub (PROTOCOL.md §3, "Hub to client"). The wire layer encodes each
/// value once; a fan-out shares those bytes among all its recipients.
public enum ServerMessage: Sendable, Hashable {
    case joined(JoinedReply)
    case participantJoined(RosterEvent)
    case participantUpdated(RosterEvent)
    case participantLeft(RosterEvent)
    case roster(sessionID: SessionID, seq: UInt64, participants: [Participant], requestID: String?)
    case ack(requestID: String?)
    case left(sessionID: SessionID, requestID: String?)
    case error(ProtocolError)
    case pong(ts: JSONValue?, serverTime: Int64, requestID: String?)
    case signal(from: ParticipantID, data: JSONValue)
    case sessionEnded(sessionID: SessionID, reason: SessionEndReason)

    /// The seq of the roster event this message carries, if it carries one.
    public var rosterEventSeq: UInt64? {
        switch self {
        case .participantJoined(let event), .participantUpdated(let event), .participantLeft(let event): return event.seq
        default: return nil
        }
    }

    public var isRosterSnapshot: Bool {
        if case .roster = self { return true }
        return false
    }

    /// The message that carries a roster event, by the event's kind.
    public static func event(_ event: RosterEvent) -> ServerMessage {
        switch event.kind {
        case .joined: return .participantJoined(event)
        case .updated: return .participantUpdated(event)
        case .left: return .participantLeft(event)
        }
    }
}

/// The reply to a successful `join`.
public struct JoinedReply: Sendable, Hashable {
    public let sessionID: SessionID
    public let selfParticipant: Participant
    public let participants: [Participant]
    public let seq: UInt64
    public let resumeToken: String
    public let settings: CallSettings
    public let heartbeat: Heartbeat
    public let resumed: Bool
    public let requestID: String?

    public init(
        sessionID: SessionID, selfParticipant: Participant, participants: [Participant], seq: UInt64,
        resumeToken: String, settings: CallSettings, heartbeat: Heartbeat, resumed: Bool, requestID: String?
    ) {
        self.sessionID = sessionID
        self.selfParticipant = selfParticipant
        self.participants = participants
        self.seq = seq
        self.resumeToken = resumeToken
        self.settings = settings
        self.heartbeat = heartbeat
        self.resumed = resumed
        self.requestID = requestID
    }
}

/// Liveness settings announced in `joined`, in milliseconds.
public struct Heartbeat: Sendable, Hashable {
    public var intervalMs: Int64
    public var timeoutMs: Int64

    public init(intervalMs: Int64, timeoutMs: Int64) {
        self.intervalMs = intervalMs
        self.timeoutMs = timeoutMs
    }
}

public enum SessionEndReason: String, Sendable, Hashable {
    case endedByModerator, endedByAdmin, serverShutdown
}

public enum LeaveReason: String, Sendable, Hashable {
    case left, disconnected, replaced, removed, sessionEnded
}
