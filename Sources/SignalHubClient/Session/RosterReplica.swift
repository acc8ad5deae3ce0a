import OrderedCollections
import SignalHubCore

/// A client's copy of a session roster: a snapshot plus the events after it, applied by
/// seq (PROTOCOL.md "the roster guarantee"). A gap means events were lost: the replica
/// waits for a fresh snapshot and ignores events until it arrives.
public struct RosterReplica: Sendable {
    public enum Outcome: Equatable, Sendable {
        case applied
        /// At or below the current seq: already included (a replay or a snapshot overlap).
        case stale
        /// A seq was skipped: ask for a snapshot (`sync`).
        case gap
        /// Waiting for a snapshot after a gap.
        case waiting
    }

    public private(set) var seq: UInt64 = 0
    public private(set) var awaitingSnapshot = true
    /// How many gaps were seen: zero in a healthy run.
    public private(set) var gapCount = 0
    private var members: OrderedDictionary<ParticipantID, Participant> = [:]

    public init() {}

    public var participants: [Participant] { Array(members.values) }
    public func participant(_ pid: ParticipantID) -> Participant? { members[pid] }

    /// A `joined` or `roster` snapshot replaces everything.
    public mutating func reset(seq: UInt64, participants: [Participant]) {
        self.seq = seq
        members = OrderedDictionary(uniqueKeysWithValues: participants.map { ($0.pid, $0) })
        awaitingSnapshot = false
    }

    public mutating func apply(_ event: RosterEvent) -> Outcome {
        if awaitingSnapshot { return .waiting }
        if event.seq <= seq { return .stale }
        guard event.seq == seq + 1 else {
            gapCount += 1
            awaitingSnapshot = true
            return .gap
        }
        seq = event.seq
        switch event.kind {
        case .joined, .updated:
            members[event.participant.pid] = event.participant
        case .left:
            members[event.participant.pid] = nil
        }
        return .applied
    }
}
