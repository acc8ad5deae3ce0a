/// Where the outcome of a shared-roster command goes: the socket that asked, with the
/// `requestId` of its message, gets the `ack` or the `error`.
public struct SharedReplyTarget: Sendable, Hashable {
    public let connection: ConnectionID
    public let requestID: String?

    public init(connection: ConnectionID, requestID: String?) {
        self.connection = connection
        self.requestID = requestID
    }
}

/// A change the core asks the shared roster store to make (multi-node mode). The store
/// applies it atomically, numbers the resulting event with the session's next `seq`, and
/// publishes it to every node; the core learns of it as a `SharedRosterInput.event`, in
/// order, like every other node. Replies come back as `SharedRosterInput` values too.
public enum SharedRosterCommand: Sendable, Hashable {
    /// Add a participant; a member with the same uid leaves first (`replaced`).
    case join(SharedJoin)
    /// Take a participant back on this node with a new resume token.
    case resume(SharedResume)
    case update(sessionID: SessionID, pid: ParticipantID, change: StateChange, by: ParticipantID?, reply: SharedReplyTarget?)
    /// `onlyIfHostedHere`: a grace period ran out here, but the participant may have
    /// resumed on another node meanwhile; then nothing happens.
    case remove(sessionID: SessionID, pid: ParticipantID, reason: LeaveReason, onlyIfHostedHere: Bool, reply: SharedReplyTarget?)
    case end(sessionID: SessionID, reason: SessionEndReason, reply: SharedReplyTarget?)
    /// A `signal` to a participant on another node.
    case signal(sessionID: SessionID, from: ParticipantID, to: ParticipantID, data: JSONValue)
    /// The session's current roster, for a replica that found a gap.
    case snapshot(SessionID)
    /// After the store was away: make it agree with the members this node hosts, then
    /// report every local session's roster (`SharedRosterInput.recovered`).
    case reconcile([HostedSession])
}

public struct SharedJoin: Sendable, Hashable {
    public let connection: ConnectionID
    public let requestID: String?
    public let sessionID: SessionID
    public let participant: Participant
    public let settings: CallSettings
    public let resumeToken: String
    public let maxParticipants: Int

    public init(
        connection: ConnectionID, requestID: String?, sessionID: SessionID, participant: Participant, settings: CallSettings,
        resumeToken: String, maxParticipants: Int
    ) {
        self.connection = connection
        self.requestID = requestID
        self.sessionID = sessionID
        self.participant = participant
        self.settings = settings
        self.resumeToken = resumeToken
        self.maxParticipants = maxParticipants
    }
}

public struct SharedResume: Sendable, Hashable {
    public let connection: ConnectionID
    public let requestID: String?
    public let sessionID: SessionID
    public let pid: ParticipantID
    public let uid: String
    public let resumeToken: String
    public let newResumeToken: String
    public let lastSeq: UInt64
}

/// What this node knows of one session's members it hosts (connected or in their grace
/// period), for reconciling a store that lost or missed changes.
public struct HostedSession: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public let participant: Participant
        public let settings: CallSettings
        public let resumeToken: String
    }

    public let sessionID: SessionID
    public let seq: UInt64
    public let members: [Member]
}
