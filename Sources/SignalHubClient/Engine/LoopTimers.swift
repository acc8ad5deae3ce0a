import CLibWebSockets
import HeapModule

/// Closures to run on the service thread at a monotonic time, behind one lws scheduler
/// entry that always stands at the earliest of them.
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

    /// Runs everything due; returns when nothing more is.
    func fire(now: Int64, context: OpaquePointer) {
        armedAt = nil
        while let first = heap.min, first.at <= now {
            heap.removeMin()
            work.removeValue(forKey: first.order)?()
        }
        arm(context: context)
    }

    private func arm(context: OpaquePointer) {
        guard let next = heap.min?.at else { return }
        if let armedAt, armedAt <= next { return }
        armedAt = next
        let delayUs = max(0, next - MonotonicClock.microseconds())
        lws_sul_schedule(context, 0, shlws_timer_sul(timer), clientTimerCallback, lws_usec_t(delayUs + 1))
    }
}

private func clientTimerCallback(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul, let raw = shlws_timer_user(sul) else { return }
    Unmanaged<ClientLoop>.fromOpaque(raw).takeUnretainedValue().timersDue()
}
