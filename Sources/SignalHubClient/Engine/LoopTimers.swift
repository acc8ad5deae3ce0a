import HeapModule

/// Closures to run on the service thread at a monotonic time (microseconds). The engine
/// runs what is due after each turn of its loop and wakes the loop for the earliest of the
/// rest (`LWSEventLoop.wake`, to the microsecond).
final class LoopTimers {
    private struct Entry: Comparable {
        let at: Int64
        let order: UInt64
        static func < (a: Entry, b: Entry) -> Bool { (a.at, a.order) < (b.at, b.order) }
        static func == (a: Entry, b: Entry) -> Bool { a.order == b.order }
    }

    private var heap = Heap<Entry>()
    private var work: [UInt64: () -> Void] = [:]
    private var counter: UInt64 = 0

    func schedule(at: Int64, _ body: @escaping () -> Void) {
        counter += 1
        heap.insert(Entry(at: at, order: counter))
        work[counter] = body
    }

    /// When the earliest closure is due.
    var nextDue: Int64? { heap.min?.at }

    /// Runs everything due. What those closures schedule waits for the next call, even
    /// if it is due already, so a closure that reschedules itself cannot keep this going.
    func fire(now: Int64) {
        let lastScheduled = counter
        var deferred: [Entry] = []
        while let first = heap.min, first.at <= now {
            heap.removeMin()
            if first.order > lastScheduled {
                deferred.append(first)
                continue
            }
            work.removeValue(forKey: first.order)?()
        }
        for entry in deferred { heap.insert(entry) }
    }
}
