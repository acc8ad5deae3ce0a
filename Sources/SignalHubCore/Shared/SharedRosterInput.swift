/// What the shared roster store reports back to the core (multi-node mode).
public enum SharedRosterInput: Sendable {
    /// A roster event published by any node, this one included, in the order the store
    /// numbered them.
    case event(RosterEvent)
    /// The session ended; `seq` orders the end among its events.
    case sessionEnded(SessionID, SessionEndReason, seq: UInt64)
    /// A participant was taken back on `node` (a resume): any other node drops its copy.
    case claimed(SessionID, ParticipantID, node: String)
    case signal(SessionID, from: ParticipantID, to: ParticipantID, data: JSONValue)
    /// A session's roster changed without events (reconciled after an outage).
    case resync(SessionID)
    case snapshot(SessionID, SharedSnapshot?)
    case joinCompleted(ConnectionID, Result<SharedJoinOutcome, ProtocolError>)
    case replied(SharedReplyTarget, Result<Void, ProtocolError>)
    /// The store is reachable again and agrees with this node; these are its rosters.
    case recovered([SessionID: SharedSnapshot])
    /// The store became unreachable (or reachable, before reconciling).
    case availability(SharedStoreAvailability)
}

public enum SharedStoreAvailability: Sendable, Hashable {
    /// Connected (again): the core answers with `reconcile`, and is available once the
    /// store reports `recovered`.
    case reconnected
    case unavailable
}

public struct SharedSnapshot: Sendable, Hashable {
    public let seq: UInt64
    public let participants: [Participant]

    public init(seq: UInt64, participants: [Participant]) {
        self.seq = seq
        self.participants = participants
    }
}

/// A join or resume the store carried out: the participant, the roster just after it, and
/// what the member needs for its `joined` reply.
public struct SharedJoinOutcome: Sendable, Hashable {
    public let sessionID: SessionID
    public let participant: Participant
    public let snapshot: SharedSnapshot
    public let settings: CallSettings
    public let resumeToken: String
    /// For a resume: the events after its `lastSeq` that the store still keeps, oldest
    /// first; nil for a fresh join.
    public let missed: [RosterEvent]?

    public init(
        sessionID: SessionID, participant: Participant, snapshot: SharedSnapshot, settings: CallSettings,
        resumeToken: String, missed: [RosterEvent]? = nil
    ) {
        self.sessionID = sessionID
        self.participant = participant
        self.snapshot = snapshot
        self.settings = settings
        self.resumeToken = resumeToken
        self.missed = missed
    }
}
