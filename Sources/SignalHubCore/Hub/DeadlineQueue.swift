import HeapModule

/// Timers of the roster logic, soonest first. Entries are never removed early: when one
/// comes due, the hub checks that the state it was set for still holds.
struct DeadlineQueue: Sendable {
    enum Timer: Sendable, Hashable {
        case joinTimeout(ConnectionID)
        case gracePeriod(SessionID, ParticipantID)
    }

    private struct Entry: Comparable, Sendable {
        let at: Int64
        let order: UInt64
        let timer: Timer
        static func < (lhs: Entry, rhs: Entry) -> Bool { (lhs.at, lhs.order) < (rhs.at, rhs.order) }
        static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.at == rhs.at && lhs.order == rhs.order }
    }

    private var heap = Heap<Entry>()
    private var counter: UInt64 = 0

    var next: Int64? { heap.min?.at }
    var count: Int { heap.count }

    mutating func schedule(_ timer: Timer, at: Int64) {
        counter += 1
        heap.insert(Entry(at: at, order: counter, timer: timer))
    }

    /// Removes and returns the next timer due at or before `now`.
    mutating func popDue(now: Int64) -> (timer: Timer, at: Int64)? {
        guard let first = heap.min, first.at <= now else { return nil }
        heap.removeMin()
        return (first.timer, first.at)
    }
}
