@testable import SignalHubCore
import Testing

@Suite("timers: the join timeout")
struct TimerTests {
    @Test func aSocketThatNeverJoinsIsClosedWith1008AtTheDeadline() {
        var h = HubHarness { $0.joinTimeoutMs = 10_000 }
        let c = h.open()
        #expect(h.hub.nextDeadline == h.monotonicMs + 10_000)
        #expect(h.advance(by: 9_999) == [])
        let actions = h.advance(by: 1)
        #expect(actions == [.close(c, .policyViolation, reason: "no join within the join timeout")])
        #expect(h.advance(by: 10_000) == [])
        // A closed socket accepts nothing more.
        #expect(h.send(.join(token: "late", settings: CallSettings(), resume: nil), from: c) == [])
        #expect(h.send(.ping(ts: nil), from: c) == [])
    }

    @Test func aSuccessfulJoinStopsTheTimeout() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        #expect(h.advance(by: 10_000) == [])
        #expect(h.advance(by: 100_000) == [])
        #expect(h.closes(of: alice.connection).isEmpty)
        #expect(h.participant(alice.pid) != nil)
    }

    @Test func aFailedJoinDoesNotRestartTheTimeout() {
        var h = HubHarness()
        let c = h.open()
        _ = h.advance(by: 6_000)
        _ = h.send(.join(token: "t", settings: CallSettings(), resume: nil), from: c)
        _ = h.verify(c, .failure(ProtocolError(.authTokenInvalid, "bad")))
        #expect(h.advance(by: 4_000).closes(of: c) == [.policyViolation])
    }

    @Test func aSocketStillAuthenticatingAtTheDeadlineIsClosedAndItsLateTokenIgnored() throws {
        var h = HubHarness()
        let bob = try h.join("bob")
        let c = h.open()
        _ = h.send(.join(token: "slow", settings: CallSettings(), resume: nil), from: c)
        #expect(h.advance(by: 10_000) == [.close(c, .policyViolation, reason: "no join within the join timeout")])
        #expect(h.verify(c, .success(HubHarness.identity("alice"))) == [])
        #expect(h.hub.roster(of: .main)?.participants.map(\.uid) == ["bob"])
        #expect(h.messages(to: bob.connection).count == 1)
    }

    @Test func eachSocketHasItsOwnDeadline() {
        var h = HubHarness()
        let first = h.open()
        h.monotonicMs += 3_000
        let second = h.open()
        let atFirst = h.advance(by: 7_000)
        #expect(atFirst == [.close(first, .policyViolation, reason: "no join within the join timeout")])
        #expect(h.hub.nextDeadline == h.monotonicMs + 3_000)
        let atSecond = h.advance(by: 3_000)
        #expect(atSecond.closes(of: second) == [.policyViolation])
    }

    @Test func aSocketThatClosedBeforeItsDeadlineIsForgotten() {
        var h = HubHarness()
        let c = h.open()
        _ = h.close(c)
        #expect(h.hub.connectionCount == 0)
        #expect(h.advance(by: 10_000) == [])
    }

    @Test func aLateTickRunsEveryTimerThatCameDue() throws {
        var h = HubHarness { $0.gracePeriodMs = 2_000 }
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let idle = h.open()
        _ = h.close(bob.connection)
        let actions = h.advance(by: 60_000)
        #expect(actions.closes(of: idle) == [.policyViolation])
        #expect(actions.rosterEvents.map(\.leaveReason) == [.disconnected])
        #expect(h.hub.nextDeadline == nil)
        h.expectConverged([alice.connection])
    }
}
