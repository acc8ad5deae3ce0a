@testable import SignalHubCore
import Testing

@Suite("join: a second join of the same uid replaces the first")
struct ReplacementTests {
    @Test func theOldMemberLeavesAndIsClosedBeforeTheNewOneIsAnnounced() throws {
        var h = HubHarness()
        let old = try h.join("alice")
        let bob = try h.join("bob")
        _ = h.send(.changeState(.raiseHand), from: old.connection)  // seq 3
        let oldState = try #require(h.participant(old.pid))
        let new = try h.join("alice")

        #expect(new.pid != old.pid)
        let left = RosterEvent(sessionID: .main, seq: 4, participant: oldState, kind: .left(.replaced))
        let joined = RosterEvent(sessionID: .main, seq: 5, participant: new.reply.selfParticipant, kind: .joined)
        #expect(new.actions == [
            .send(.participantLeft(left), to: [bob.connection, old.connection]),
            .close(old.connection, .replaced, reason: "replaced"),
            .send(.joined(new.reply), to: [new.connection]),
            .send(.participantJoined(joined), to: [bob.connection]),
        ])
        // The old socket learns why, then is closed with 4001; it never hears of its successor.
        #expect(h.deliveries(to: old.connection).suffix(2) == [.message(.participantLeft(left)), .close(.replaced)])
        #expect(h.messages(to: bob.connection).suffix(2) == [.participantLeft(left), .participantJoined(joined)])
        #expect(new.reply.seq == 5)
        #expect(new.reply.participants.map(\.uid) == ["bob", "alice"])
        #expect(h.hub.roster(of: .main)?.participants.map(\.uid) == ["bob", "alice"])
        h.expectConverged([bob.connection, new.connection])
    }

    @Test func theReplacedSocketIsDeadToTheHub() throws {
        var h = HubHarness()
        let old = try h.join("alice")
        let bob = try h.join("bob")
        let new = try h.join("alice")
        #expect(h.send(.changeState(.muteAudio), from: old.connection) == [])
        #expect(h.send(.leave, from: old.connection) == [])
        #expect(h.close(old.connection) == [])
        #expect(h.advance(by: 60_000) == [])
        #expect(h.participant(new.pid) != nil)
        h.expectConverged([bob.connection, new.connection])
    }

    @Test func aMemberInItsGracePeriodIsReplacedWithoutAClose() throws {
        var h = HubHarness()
        let old = try h.join("alice")
        let bob = try h.join("bob")
        #expect(h.close(old.connection) == [])
        h.monotonicMs += 1_000
        let new = try h.join("alice")
        #expect(new.actions.rosterEvents.map(\.seq) == [3, 4])
        #expect(new.actions.rosterEvents.first?.leaveReason == .replaced)
        #expect(!new.actions.contains { if case .close = $0 { true } else { false } })
        // The old grace deadline passes without a second leave.
        #expect(h.advance(by: 20_000) == [])
        #expect(h.hub.roster(of: .main)?.participants.map(\.pid) == [bob.pid, new.pid])
        h.expectConverged([bob.connection, new.connection])
    }

    @Test func replacingTheOnlyMemberKeepsTheSessionsSeqGoing() throws {
        var h = HubHarness()
        let old = try h.join("alice")
        _ = h.send(.changeState(.raiseHand), from: old.connection)
        #expect(h.seq() == 2)
        let new = try h.join("alice")
        #expect(h.messages(to: old.connection).last?.rosterEvent?.seq == 3)
        #expect(new.reply.seq == 4)
        #expect(h.seq() == 4)
        #expect(h.hub.sessionSummaries().map(\.seq) == [4])
        h.expectConverged([new.connection])
    }

    @Test func theSameUidInAnotherSessionIsNotADuplicate() throws {
        var h = HubHarness()
        let here = try h.join("alice", session: .main)
        let there = try h.join("alice", session: .other)
        #expect(h.closes(of: here.connection).isEmpty)
        #expect(h.messages(to: here.connection).count == 1)
        #expect(h.participant(here.pid, in: .main) != nil)
        #expect(h.participant(there.pid, in: .other) != nil)
    }
}

@Suite("join: session full")
struct SessionFullTests {
    @Test func aJoinBeyondTheLimitIsRefusedAndHarmsNobody() throws {
        var h = HubHarness { $0.maxParticipantsPerSession = 2 }
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let carol = h.open()
        _ = h.send(.join(token: "t", settings: CallSettings(), resume: nil), requestID: "rc", from: carol)
        let refused = h.verify(carol, .success(HubHarness.identity("carol")))

        #expect(refused.count == 1)
        let error = try #require(refused.messages(to: carol).first?.protocolError)
        #expect(error.code == .sessionFull)
        #expect(error.requestID == "rc")
        #expect(h.closes(of: carol).isEmpty)
        #expect(h.hub.roster(of: .main)?.count == 2)
        #expect(h.seq() == 2)
        #expect(h.messages(to: alice.connection).count == 2)
        #expect(h.messages(to: bob.connection).count == 1)
        // The socket stays usable: it may ping and join another session.
        #expect(h.send(.ping(ts: .integer(1)), from: carol).count == 1)
        _ = try h.join("carol", session: .other, on: carol)
    }

    @Test func aDuplicateUidMayReplaceItselfInAFullSession() throws {
        var h = HubHarness { $0.maxParticipantsPerSession = 2 }
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let again = try h.join("bob")
        #expect(h.closes(of: bob.connection) == [.replaced])
        #expect(h.hub.roster(of: .main)?.participants.map(\.pid) == [alice.pid, again.pid])
        h.expectConverged([alice.connection, again.connection])
    }

    @Test func aFreedPlaceCanBeTakenAgain() throws {
        var h = HubHarness { $0.maxParticipantsPerSession = 1 }
        let alice = try h.join("alice")
        _ = h.send(.leave, from: alice.connection)
        let bob = try h.join("bob")
        #expect(bob.reply.participants.map(\.uid) == ["bob"])
    }
}
