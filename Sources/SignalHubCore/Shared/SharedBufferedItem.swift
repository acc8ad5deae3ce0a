/// Bus traffic held back while a replica waits for a snapshot (or does not exist yet):
/// applied in order once the snapshot's seq is known, dropped when the snapshot covers it.
enum SharedBufferedItem: Sendable, Hashable {
    case event(RosterEvent)
    case ended(SessionEndReason, seq: UInt64)

    var seq: UInt64 {
        switch self {
        case .event(let event): return event.seq
        case .ended(_, let seq): return seq
        }
    }
}
