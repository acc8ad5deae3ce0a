import OrderedCollections

/// The authoritative roster of one session: its participants in join order and its
/// sequence number. Every mutation that changes the roster returns the event it caused,
/// numbered with the next `seq`; a mutation that changes nothing returns nil and leaves
/// `seq` alone. This is the piece a distributed store replaces in multi-node mode.
public struct SessionRoster: Sendable {
    public let sessionID: SessionID
    public private(set) var seq: UInt64
    private var members: OrderedDictionary<ParticipantID, Participant> = [:]

    public init(sessionID: SessionID, seq: UInt64 = 0) {
        self.sessionID = sessionID
        self.seq = seq
    }

    /// A replica of a roster kept elsewhere (multi-node mode): a snapshot taken at `seq`.
    public init(sessionID: SessionID, seq: UInt64, participants: [Participant]) {
        self.sessionID = sessionID
        self.seq = seq
        for participant in participants { members[participant.pid] = participant }
    }

    public var participants: [Participant] { Array(members.values) }
    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    public func participant(_ pid: ParticipantID) -> Participant? { members[pid] }

    public func participant(uid: String) -> Participant? {
        members.values.first { $0.uid == uid }
    }

    public mutating func add(_ participant: Participant) -> RosterEvent {
        precondition(members[participant.pid] == nil, "pid \(participant.pid) is already in \(sessionID)")
        members[participant.pid] = participant
        return nextEvent(participant, .joined)
    }

    public mutating func apply(_ change: StateChange, to pid: ParticipantID, by moderator: ParticipantID? = nil) -> RosterEvent? {
        guard var participant = members[pid], participant.apply(change) else { return nil }
        members[pid] = participant
        return nextEvent(participant, .updated(changed: [change.field], by: moderator))
    }

    public mutating func remove(_ pid: ParticipantID, reason: LeaveReason) -> RosterEvent? {
        guard let participant = members.removeValue(forKey: pid) else { return nil }
        return nextEvent(participant, .left(reason))
    }

    /// Applies an event numbered elsewhere (multi-node mode). Only the next event in order
    /// applies; the caller resynchronises on a gap.
    public mutating func applyReplicated(_ event: RosterEvent) -> Bool {
        guard event.sessionID == sessionID, event.seq == seq + 1 else { return false }
        switch event.kind {
        case .joined, .updated: members[event.participant.pid] = event.participant
        case .left: members.removeValue(forKey: event.participant.pid)
        }
        seq = event.seq
        return true
    }

    private mutating func nextEvent(_ participant: Participant, _ kind: RosterEvent.Kind) -> RosterEvent {
        seq += 1
        return RosterEvent(sessionID: sessionID, seq: seq, participant: participant, kind: kind)
    }
}
