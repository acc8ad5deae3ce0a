import SignalHubCore

/// What a member of a call hears, in order.
public enum CallEvent: Sendable, Hashable {
    case participantJoined(Participant)
    case participantUpdated(Participant, changed: [ParticipantField], by: ParticipantID?)
    case participantLeft(Participant, reason: LeaveReason)
    /// The roster was replaced by a snapshot (after `sync`, a gap, or falling behind).
    case rosterReset([Participant])
    case signal(from: ParticipantID, data: JSONValue)
    case sessionEnded(SessionEndReason)
    /// The socket is gone; `code` is the hub's close code when it sent one.
    case closed(code: UInt16?)
}
