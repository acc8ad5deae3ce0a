/// A change to a session's roster. Each one takes the next `seq` of its session; this is
/// the unit a distributed roster store orders and every node delivers.
public struct RosterEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case joined
        case updated(changed: [ParticipantField], by: ParticipantID?)
        case left(LeaveReason)
    }

    public let sessionID: SessionID
    public let seq: UInt64
    /// The participant's state after the event (for `left`, its last state).
    public let participant: Participant
    public let kind: Kind

    public init(sessionID: SessionID, seq: UInt64, participant: Participant, kind: Kind) {
        self.sessionID = sessionID
        self.seq = seq
        self.participant = participant
        self.kind = kind
    }
}
