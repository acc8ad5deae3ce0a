#if canImport(Glibc)
import Glibc
#endif
import CLibUV
import CLibWebSockets

/// An lws service thread's event loop: a libuv loop that the thread owns, with lws joined
/// to it as a foreign loop. The hub and the client engine both run on one.
///
/// lws 4.1's own loop calls `poll()` over every descriptor on each wakeup, which was a
/// third of the hub's CPU at 200 sockets under moderate load; libuv waits in epoll, whose
/// cost follows the sockets that are ready, not the ones that exist. Owning the loop keeps
/// the service thread's shape: one turn of the loop, then the owner's flush, until it stops.
///
/// Timers stay lws's (`lws_sul_schedule`). lws 4.1's libuv glue re-arms its one uv timer
/// for the earliest entry only in its idle callback, which it starts after an I/O
/// callback. An entry scheduled anywhere else (the hub's flush between turns, a close
/// callback) would wait for the next unrelated I/O, however late. So each turn first runs
/// that idle callback itself: it services ripe entries and re-arms the timer. (Starting
/// the idle handle instead would keep libuv 1.44's `UV_RUN_ONCE` from sleeping at all.)
///
/// Timers of our own need a wakeup finer than libuv's whole-millisecond timers (the hub's
/// coalesced writes, the load tool's sub-millisecond ticks): a timerfd that the loop
/// watches ends the wait at a given microsecond. lws's own `poll()` loop could not do
/// that either: its timeout is whole milliseconds rounded down, so a timer less than a
/// millisecond away was a run of `poll(0)`, a core spinning.
public final class LWSEventLoop {
    private let loop: UnsafeMutablePointer<uv_loop_t>
    private var lwsIdleHandles: [UnsafeMutablePointer<uv_idle_t>] = []
    private let wakeupFD: Int32
    private let wakeupWatcher: UnsafeMutablePointer<uv_poll_t>
    /// When the timerfd is set to expire (monotonic us); in the past when it is not set.
    private var wakeupAtUs: Int64 = 0

    public init() {
        loop = .allocate(capacity: 1)
        loop.initialize(to: uv_loop_t())
        uv_loop_init(loop)
        wakeupFD = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC))
        precondition(wakeupFD >= 0, "timerfd_create failed")
        wakeupWatcher = .allocate(capacity: 1)
        wakeupWatcher.initialize(to: uv_poll_t())
        uv_poll_init(loop, wakeupWatcher, wakeupFD)
        uv_poll_start(wakeupWatcher, Int32(UV_READABLE.rawValue)) { handle, _, _ in
            // Reading clears the expiry; the turn then ends and the caller does its work.
            var fd: uv_os_fd_t = -1
            var expirations: UInt64 = 0
            guard let handle, uv_fileno(UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self), &fd) == 0 else { return }
            _ = read(fd, &expirations, MemoryLayout<UInt64>.size)
        }
    }

    /// Ends the loop's wait no later than `atUs` (monotonic microseconds). One wakeup is
    /// pending at a time: an earlier request moves it, a later one waits for it to pass.
    public func wake(atMonotonicMicroseconds atUs: Int64, now nowUs: Int64) {
        guard wakeupAtUs <= nowUs || atUs < wakeupAtUs else { return }
        wakeupAtUs = max(atUs, nowUs + 1)
        var spec = itimerspec()
        spec.it_value.tv_sec = Int(wakeupAtUs / 1_000_000)
        spec.it_value.tv_nsec = Int(wakeupAtUs % 1_000_000) * 1000
        timerfd_settime(wakeupFD, Int32(TFD_TIMER_ABSTIME), &spec, nil)
    }

    /// Creates an lws context that runs on this loop.
    public func createContext(_ info: inout lws_context_creation_info) -> OpaquePointer? {
        var loops: [UnsafeMutableRawPointer?] = [UnsafeMutableRawPointer(loop)]
        let context = loops.withUnsafeMutableBufferPointer { loops in
            info.options |= SHLWS_OPTION_LIBUV
            info.foreign_loops = loops.baseAddress
            defer { info.foreign_loops = nil }
            return lws_create_context(&info)
        }
        if context != nil { lwsIdleHandles = idleHandles() }
        return context
    }

    /// Brings lws's timer up to date, then waits for events once and handles all that are
    /// ready (lws's callbacks and its timers).
    public func runOnce() {
        for idle in lwsIdleHandles { idle.pointee.idle_cb?(idle) }
        uv_run(loop, UV_RUN_ONCE)
    }

    /// Destroys the context and lets lws close its handles on the loop.
    public func destroy(_ context: OpaquePointer) {
        lwsIdleHandles = []
        lws_context_destroy(context)
        uv_poll_stop(wakeupWatcher)
        uv_close(UnsafeMutableRawPointer(wakeupWatcher).assumingMemoryBound(to: uv_handle_t.self), nil)
        // On a foreign loop lws closes its handles asynchronously: their close callbacks
        // run here, and the loop has nothing left once they have.
        uv_run(loop, UV_RUN_DEFAULT)
    }

    /// lws's idle handle: the only one on the loop (the hub makes none).
    private func idleHandles() -> [UnsafeMutablePointer<uv_idle_t>] {
        var found: [UnsafeMutablePointer<uv_idle_t>] = []
        withUnsafeMutablePointer(to: &found) { found in
            uv_walk(loop, { handle, found in
                guard let handle, let found, handle.pointee.type == UV_IDLE else { return }
                found.assumingMemoryBound(to: [UnsafeMutablePointer<uv_idle_t>].self).pointee
                    .append(UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_idle_t.self))
            }, found)
        }
        return found
    }

    deinit {
        uv_loop_close(loop)
        close(wakeupFD)
        wakeupWatcher.deallocate()
        loop.deinitialize(count: 1)
        loop.deallocate()
    }
}
