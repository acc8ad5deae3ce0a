import SignalHubCore

/// The part of each participant's JSON object that never changes while it is a member
/// (`{"pid":…` up to its `sessionType`, without the closing brace), encoded by jansson once
/// and reused by every event and snapshot that carries the participant. The rest (three
/// flags and `joinedAt`) is written fresh each time. A joiner's `joined` lists everyone
/// already there; encoding each of them again was a third of the hub's CPU when 1,000
/// joined one session.
///
/// Bounded: past `limit` entries it starts over, so memory stays small (at most about
/// `limit` x 200 bytes) whatever the number of participants, at the cost of re-encoding.
final class ParticipantFragments {
    private var entries: [ParticipantID: (participant: Participant, head: [UInt8])] = [:]
    let limit: Int

    init(limit: Int = 4_096) { self.limit = limit }

    var count: Int { entries.count }

    /// The participant's unchanging fields, from the cache when they are the same.
    func head(for participant: Participant, encode: (Participant) -> [UInt8]?) -> [UInt8]? {
        if let entry = entries[participant.pid], Self.sameHead(entry.participant, participant) { return entry.head }
        guard let head = encode(participant) else { return nil }
        if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
        entries[participant.pid] = (participant, head)
        return head
    }

    /// A participant that left is not listed again.
    func forget(_ pid: ParticipantID) { entries[pid] = nil }

    private static func sameHead(_ a: Participant, _ b: Participant) -> Bool {
        a.pid == b.pid && a.uid == b.uid && a.name == b.name && a.avatar == b.avatar && a.role == b.role
            && a.sessionType == b.sessionType
    }
}
