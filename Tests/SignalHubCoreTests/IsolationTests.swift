@testable import SignalHubCore
import Testing

@Suite("sessions are isolated")
struct IsolationTests {
    @Test func membersOfAnotherSessionReceiveNothing() throws {
        var h = HubHarness()
        let outsider = try h.join("outsider", session: .other)
        let outsider2 = try h.join("outsider-2", session: .other)
        let baseline = [outsider.connection, outsider2.connection].map { h.deliveries(to: $0) }
        let otherSeq = h.seq(of: .other)

        // Everything that can happen in a session happens in .main.
        let mod = try h.join("mod", role: .moderator)
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let carol = try h.join("carol")
        for change in [StateChange.muteAudio, .pauseVideo, .raiseHand, .lowerHand] {
            _ = h.send(.changeState(change), from: alice.connection)
        }
        _ = h.send(.signal(to: bob.pid, data: .string("offer")), from: alice.connection)
        _ = h.send(.sync, from: bob.connection)
        _ = h.send(.muteParticipant(bob.pid), from: mod.connection)
        _ = h.send(.removeParticipant(carol.pid), from: mod.connection)
        _ = try h.join("alice")  // replaces alice
        _ = h.close(bob.connection)
        _ = h.advance(by: 10_000)
        _ = try h.admin { try $0.adminMute(mod.pid, in: .main) }
        _ = h.send(.endSession, from: mod.connection)

        #expect(h.log.count > 20)
        #expect([outsider.connection, outsider2.connection].map { h.deliveries(to: $0) } == baseline)
        #expect(h.seq(of: .other) == otherSeq)
        #expect(h.hub.roster(of: .other)?.participants.map(\.uid) == ["outsider", "outsider-2"])
        h.expectConverged([outsider.connection, outsider2.connection], in: .other)
    }

    @Test func eachSessionHasItsOwnSeq() throws {
        var h = HubHarness()
        let a = try h.join("a", session: .main)
        _ = try h.join("b", session: .main)
        _ = h.send(.changeState(.raiseHand), from: a.connection)
        let c = try h.join("c", session: .other)
        #expect(c.reply.seq == 1)
        #expect(h.seq(of: .main) == 3)
        #expect(h.hub.sessionSummaries().map(\.seq) == [3, 1])
    }
}
