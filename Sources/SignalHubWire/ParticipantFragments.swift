import SignalHubCore

/// Participants' JSON objects, encoded once and reused by every roster snapshot that lists
/// them until they change. A joiner's `joined` lists everyone already there; encoding each
/// of them again with jansson was a third of the hub's CPU when 1,000 joined one session.
///
/// Bounded: past `limit` entries it starts over, so memory stays small (at most about
/// `limit` x 300 bytes) whatever the number of participants, at the cost of re-encoding.
final class ParticipantFragments {
    private var entries: [ParticipantID: (participant: Participant, bytes: [UInt8])] = [:]
    let limit: Int

    init(limit: Int = 4_096) { self.limit = limit }

    var count: Int { entries.count }

    /// The participant's object, from the cache when it has not changed since.
    func bytes(for participant: Participant, encode: (Participant) -> [UInt8]) -> [UInt8] {
        if let entry = entries[participant.pid], entry.participant == participant { return entry.bytes }
        if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
        let bytes = encode(participant)
        entries[participant.pid] = (participant, bytes)
        return bytes
    }

    /// A participant that left is not listed again.
    func forget(_ pid: ParticipantID) { entries[pid] = nil }
}
