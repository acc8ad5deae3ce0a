import CLibWebSockets
import Dispatch
import Foundation
import Testing

import SignalHubLWS

@Suite("the hub's event loop: lws on libuv")
struct LWSEventLoopTests {
    /// lws's libuv glue arms its timer only after I/O callbacks and timer callbacks. A timer
    /// scheduled between turns must fire on time anyway, with no I/O at all to wake the
    /// loop. (A watchdog wakes a loop that would otherwise sleep forever, so a regression
    /// fails here instead of hanging.)
    @Test func aTimerScheduledBetweenTurnsFiresWithoutAnyIO() throws {
        let loop = LWSEventLoop()
        let protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        let name = strdup("test")!
        protocols[0].name = UnsafePointer(name)
        protocols[0].callback = lws_callback_http_dummy
        defer { protocols.deallocate(); free(name) }
        var info = lws_context_creation_info()
        info.port = SHLWS_CONTEXT_PORT_NO_LISTEN
        info.protocols = UnsafePointer(protocols)
        lws_set_log_level(0, nil)
        let context = try #require(loop.createContext(&info))

        let first = TestTimer(), second = TestTimer()
        // Wakes the loop at 3 s at the latest, so neither wait below can hang.
        let watchdog = Watchdog(context: context, after: .seconds(3))
        first.schedule(on: context, inMicroseconds: 10_000)  // fires from lws's own timer
        let started = Date()
        while !first.fired, Date().timeIntervalSince(started) < 2 { loop.runOnce() }
        try #require(first.fired)

        let scheduled = Date()
        second.schedule(on: context, inMicroseconds: 20_000)  // between turns: no callback around
        while !second.fired, Date().timeIntervalSince(scheduled) < 2 { loop.runOnce() }
        let waited = Date().timeIntervalSince(scheduled)
        watchdog.cancel()
        loop.destroy(context)

        #expect(second.fired)
        #expect(waited >= 0.015 && waited < 1, "fired after \(waited) s")
    }
}

/// An lws scheduler entry that records that it fired.
private final class TestTimer {
    let timer = UnsafeMutablePointer<shlws_timer_t>.allocate(capacity: 1)
    var fired = false

    init() {
        timer.initialize(to: shlws_timer_t())
        timer.pointee.user = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit { timer.deallocate() }

    func schedule(on context: OpaquePointer, inMicroseconds us: Int64) {
        lws_sul_schedule(context, 0, shlws_timer_sul(timer), { sul in
            guard let sul, let user = shlws_timer_user(sul) else { return }
            Unmanaged<TestTimer>.fromOpaque(user).takeUnretainedValue().fired = true
        }, lws_usec_t(us))
    }
}

/// Wakes the loop with `lws_cancel_service` unless cancelled first; `cancel` returns once
/// the watchdog can no longer touch the context.
private final class Watchdog: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(context: OpaquePointer, after delay: DispatchTimeInterval) {
        let address = UInt(bitPattern: context)
        let (done, finished) = (self.done, self.finished)
        Thread.detachNewThread {
            if done.wait(timeout: .now() + delay) == .timedOut {
                lws_cancel_service(OpaquePointer(bitPattern: address))
            }
            finished.signal()
        }
    }

    func cancel() {
        done.signal()
        finished.wait()
    }
}
