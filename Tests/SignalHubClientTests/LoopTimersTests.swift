import Testing

@testable import SignalHubClient

@Suite("The client engine's timers")
struct LoopTimersTests {
    @Test func runsWhatIsDueInTimeOrderAndKeepsTheRest() {
        let timers = LoopTimers()
        var ran: [String] = []
        timers.schedule(at: 30) { ran.append("c") }
        timers.schedule(at: 10) { ran.append("a") }
        timers.schedule(at: 20) { ran.append("b") }
        timers.schedule(at: 10) { ran.append("a2") }  // same time: in the order scheduled
        timers.fire(now: 20)
        #expect(ran == ["a", "a2", "b"])
        #expect(timers.nextDue == 30)
        timers.fire(now: 29)
        #expect(ran == ["a", "a2", "b"])
        timers.fire(now: 30)
        #expect(ran == ["a", "a2", "b", "c"])
        #expect(timers.nextDue == nil)
    }

    /// A tick that reschedules itself for a time already past must not run again in the
    /// same call: the loop would never get back to its sockets.
    @Test func aClosureThatReschedulesItselfRunsOncePerCall() {
        let timers = LoopTimers()
        var runs = 0
        func tick() {
            runs += 1
            // Bounded, so that a broken guard fails this test instead of hanging it.
            if runs < 100 { timers.schedule(at: 0) { tick() } }
        }
        timers.schedule(at: 0) { tick() }
        timers.fire(now: 100)
        #expect(runs == 1)
        #expect(timers.nextDue == 0)
        timers.fire(now: 100)
        #expect(runs == 2)
    }
}
