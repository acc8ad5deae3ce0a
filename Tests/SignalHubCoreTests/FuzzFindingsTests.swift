@testable import SignalHubCore
import Testing

/// Two bugs the fuzzer (Fuzz/) found, kept as tests so they stay fixed.
@Suite("fuzzer findings")
struct FuzzFindingsTests {
    @Test func withoutGraceTheDroppedSocketIsNotAddressed() throws {
        var h = HubHarness { $0.gracePeriodMs = 0 }
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let actions = h.close(alice.connection)
        #expect(actions.rosterEvents.first?.leaveReason == .disconnected)
        #expect(actions.messages(to: alice.connection).isEmpty, "the closed socket is not sent anything")
        #expect(actions.messages(to: bob.connection).count == 1)
    }

    @Test(arguments: [Int64(0), 10_000])
    func aMemberClosedForFloodingLeavesAfterTheGracePeriod(graceMs: Int64) throws {
        var h = HubHarness {
            $0.gracePeriodMs = graceMs
            $0.rateLimit = RateLimit(messagesPerSecond: 10, burst: 5, strikesBeforeClose: 3)
        }
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        var closed = false
        for _ in 0..<12 where !closed {
            closed = h.send(.sync, from: alice.connection).closes(of: alice.connection) == [.policyViolation]
        }
        #expect(closed)
        h.close(alice.connection)  // the adapter reports the socket gone
        h.advance(by: graceMs + 1)
        #expect(h.participant(alice.pid) == nil, "no ghost stays in the roster")
        let left = h.messages(to: bob.connection).compactMap(\.rosterEvent).last
        #expect(left?.leaveReason == .disconnected && left?.participant.pid == alice.pid)
        // And the dead socket is never addressed again.
        let later = h.send(.changeState(.raiseHand), from: bob.connection)
        #expect(later.messages(to: alice.connection).isEmpty)
    }
}
