@testable import SignalHubCore
import Testing

@Suite("leave, and sockets that drop")
struct LeaveAndDropTests {
    @Test func leaveRepliesLeftThenTellsTheOthersThenCloses1000() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let carol = try h.join("carol")
        let bobState = try #require(h.participant(bob.pid))

        let actions = h.send(.leave, requestID: "bye", from: bob.connection)

        let left = RosterEvent(sessionID: .main, seq: 4, participant: bobState, kind: .left(.left))
        #expect(actions == [
            .send(.left(sessionID: .main, requestID: "bye"), to: [bob.connection]),
            .send(.participantLeft(left), to: [alice.connection, carol.connection]),
            .close(bob.connection, .normal, reason: "left"),
        ])
        #expect(h.participant(bob.pid) == nil)
        #expect(h.seq() == 4)
        // The leaver hears no more, and its later messages and close change nothing.
        #expect(h.send(.changeState(.raiseHand), from: bob.connection) == [])
        #expect(h.close(bob.connection) == [])
        _ = h.send(.changeState(.raiseHand), from: alice.connection)
        #expect(h.deliveries(to: bob.connection).last == .close(.normal))
        h.expectConverged([alice.connection, carol.connection])
    }

    @Test func theLastLeaveEndsTheSession() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let actions = h.send(.leave, from: alice.connection)
        #expect(actions.rosterEvents.isEmpty)  // nobody left to tell
        #expect(actions.closes(of: alice.connection) == [.normal])
        #expect(h.hub.sessionCount == 0)
        #expect(h.hub.sessionSummaries().isEmpty)
    }

    @Test func aDropKeepsTheParticipantUntilTheGracePeriodEnds() throws {
        var h = HubHarness { $0.gracePeriodMs = 10_000 }
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let received = h.messages(to: alice.connection).count

        #expect(h.close(bob.connection) == [])
        #expect(h.participant(bob.pid) != nil)
        #expect(h.hub.nextDeadline == h.monotonicMs + 10_000)
        #expect(h.advance(by: 9_999) == [])
        #expect(h.participant(bob.pid) != nil)
        #expect(h.messages(to: alice.connection).count == received)

        let actions = h.advance(by: 1)
        let bobState = try #require(bob.reply.participants.last)
        let left = RosterEvent(sessionID: .main, seq: 3, participant: bobState, kind: .left(.disconnected))
        #expect(actions == [.send(.participantLeft(left), to: [alice.connection])])
        #expect(h.participant(bob.pid) == nil)
        #expect(h.advance(by: 60_000) == [])
        h.expectConverged([alice.connection])
    }

    @Test func theLeaveComesWithTheLastStateBeforeTheDrop() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        _ = h.send(.changeState(.raiseHand), from: bob.connection)
        _ = h.close(bob.connection)
        let actions = h.advance(by: 30_000)
        #expect(actions.rosterEvents.map(\.participant.isHandRaised) == [true])
        #expect(actions.rosterEvents.map(\.leaveReason) == [.disconnected])
        h.expectConverged([alice.connection])
    }

    @Test func withoutAGracePeriodADropLeavesAtOnce() throws {
        var h = HubHarness { $0.gracePeriodMs = 0 }
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let actions = h.close(bob.connection)
        #expect(actions.count == 1)
        #expect(actions.rosterEvents.map(\.leaveReason) == [.disconnected])
        #expect(actions.rosterEvents.map(\.participant.pid) == [bob.pid])
        #expect(actions.messages(to: alice.connection).count == 1)
        #expect(actions.closes(of: bob.connection).isEmpty)  // the socket is already gone
        #expect(h.participant(bob.pid) == nil)
        #expect(h.advance(by: 60_000) == [])
        h.expectConverged([alice.connection])
    }

    @Test func theSessionLivesOnWhileItsOnlyMemberIsInGrace() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        _ = h.close(alice.connection)
        #expect(h.hub.sessionCount == 1)
        #expect(h.hub.participantCount == 1)
        _ = h.advance(by: 10_000)
        #expect(h.hub.sessionCount == 0)
        #expect(h.hub.participantCount == 0)
    }

    @Test func closingASocketThatNeverJoinedDoesNothing() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let lurker = h.open()
        #expect(h.close(lurker) == [])
        #expect(h.close(ConnectionID(12_345)) == [])
        #expect(h.hub.connectionCount == 1)
        #expect(h.messages(to: alice.connection).count == 1)
    }

    @Test func severalDropsLeaveInDeadlineOrder() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let carol = try h.join("carol")
        _ = h.close(carol.connection)
        h.monotonicMs += 500
        _ = h.close(bob.connection)
        let actions = h.advance(by: 20_000)
        #expect(actions.rosterEvents.map(\.participant.pid) == [carol.pid, bob.pid])
        #expect(actions.rosterEvents.map(\.seq) == [4, 5])
        h.expectConverged([alice.connection])
    }
}
