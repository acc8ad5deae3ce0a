import CLibWebSockets
import HeapModule

/// Closures to run on the service thread at a monotonic time, behind one lws scheduler
/// entry that always stands at the earliest of them.
///
/// lws's own loop waits in `poll()`, whose timeout is whole milliseconds, rounded down:
/// a wait for a timer less than a millisecond away is `poll(0)`, again and again, until it
/// is due. A load run that ticks every half millisecond spent a whole core spinning so. So
/// the entry is armed on whole milliseconds, and a closure due within the next one runs
/// early instead of being waited for. (A periodic closure should not tick faster than a
/// millisecond: it would run back to back.)
final class LoopTimers {
    /// How early a closure may run: below lws's wait granularity.
    static let earlyUs: Int64 = 1_000

    private struct Entry: Comparable {
        let at: Int64
        let order: UInt64
        static func < (a: Entry, b: Entry) -> Bool { (a.at, a.order) < (b.at, b.order) }
        static func == (a: Entry, b: Entry) -> Bool { a.order == b.order }
    }

    private var heap = Heap<Entry>()
    private var work: [UInt64: () -> Void] = [:]
    private var counter: UInt64 = 0
    private var armedAt: Int64?
    let timer: UnsafeMutablePointer<shlws_timer_t>

    init(owner: UnsafeMutableRawPointer) {
        timer = .allocate(capacity: 1)
        timer.initialize(to: shlws_timer_t())
        timer.pointee.user = owner
    }

    deinit {
        timer.deinitialize(count: 1)
        timer.deallocate()
    }

    func schedule(at: Int64, context: OpaquePointer, _ body: @escaping () -> Void) {
        counter += 1
        heap.insert(Entry(at: at, order: counter))
        work[counter] = body
        arm(context: context)
    }

    /// Runs everything due (or due within `earlyUs`). What those closures schedule waits
    /// for the next call, even if it is due already: a closure that reschedules itself
    /// cannot keep this loop going.
    func fire(now: Int64, context: OpaquePointer) {
        armedAt = nil
        let lastScheduled = counter
        var rescheduled: [Entry] = []
        while let first = heap.min, first.at < now + Self.earlyUs {
            heap.removeMin()
            if first.order > lastScheduled {
                rescheduled.append(first)
                continue
            }
            work.removeValue(forKey: first.order)?()
        }
        for entry in rescheduled { heap.insert(entry) }
        arm(context: context)
    }

    private func arm(context: OpaquePointer) {
        guard let next = heap.min?.at else { return }
        if let armedAt, armedAt <= next { return }
        armedAt = next
        let delayMs = max(0, next - MonotonicClock.microseconds()) / 1_000
        lws_sul_schedule(context, 0, shlws_timer_sul(timer), clientTimerCallback, lws_usec_t(delayMs * 1_000))
    }
}

private func clientTimerCallback(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul, let raw = shlws_timer_user(sul) else { return }
    Unmanaged<ClientLoop>.fromOpaque(raw).takeUnretainedValue().timersDue()
}
