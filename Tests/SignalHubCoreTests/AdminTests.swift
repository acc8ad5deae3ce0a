@testable import SignalHubCore
import Testing

@Suite("admin API and shutdown")
struct AdminTests {
    static let missing = SessionID(validating: "no-such-room")!

    @Test func summariesAndRosterDescribeTheActiveSessions() throws {
        var h = HubHarness()
        let alice = try h.join("alice", session: .other)
        _ = try h.join("bob", session: .main)
        _ = try h.join("carol", session: .main)
        _ = h.send(.changeState(.raiseHand), from: alice.connection)
        let summaries = h.hub.sessionSummaries()
        #expect(summaries.map(\.sessionID) == [.main, .other])
        #expect(summaries.map(\.participantCount) == [2, 1])
        #expect(summaries.map(\.seq) == [2, 2])
        #expect(h.hub.roster(of: .main)?.participants.map(\.uid) == ["bob", "carol"])
        #expect(h.hub.roster(of: Self.missing) == nil)
        #expect(h.hub.participantCount == 3)
        #expect(h.hub.sessionCount == 2)
    }

    @Test func adminEndSessionEndsItForEveryMember() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let other = try h.join("other", session: .other)
        let actions = try h.admin { try $0.adminEndSession(.main) }
        #expect(actions == [
            .send(.sessionEnded(sessionID: .main, reason: .endedByAdmin), to: [alice.connection, bob.connection]),
            .close(alice.connection, .sessionEnded, reason: "endedByAdmin"),
            .close(bob.connection, .sessionEnded, reason: "endedByAdmin"),
        ])
        #expect(h.hub.roster(of: .main) == nil)
        #expect(h.messages(to: other.connection).count == 1)
        #expect(throws: ProtocolError.self) { try h.hub.adminEndSession(.main) }
    }

    @Test func adminEndSessionOfAnUnknownSessionIsSessionNotFound() {
        var h = HubHarness()
        let error = #expect(throws: ProtocolError.self) { try h.hub.adminEndSession(Self.missing) }
        #expect(error?.code == .sessionNotFound)
        #expect(error?.message == "no active session no-such-room")
    }

    @Test func adminRemoveRemovesWith4002() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let aliceState = try #require(h.participant(alice.pid))
        let actions = try h.admin { try $0.adminRemove(alice.pid, from: .main) }
        let left = RosterEvent(sessionID: .main, seq: 3, participant: aliceState, kind: .left(.removed))
        #expect(actions == [
            .send(.participantLeft(left), to: [bob.connection, alice.connection]),
            .close(alice.connection, .removed, reason: "removed"),
        ])
        #expect(h.participant(alice.pid) == nil)
        h.expectConverged([bob.connection])
    }

    @Test func adminRemoveAndMuteRefuseUnknownSessionsAndParticipants() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let stranger = try h.join("stranger", session: .other)
        let removeMissingSession = #expect(throws: ProtocolError.self) { try h.hub.adminRemove(alice.pid, from: Self.missing) }
        let muteMissingSession = #expect(throws: ProtocolError.self) { try h.hub.adminMute(alice.pid, in: Self.missing) }
        let removeStranger = #expect(throws: ProtocolError.self) { try h.hub.adminRemove(stranger.pid, from: .main) }
        let muteNobody = #expect(throws: ProtocolError.self) { try h.hub.adminMute(ParticipantID("pNOBODY"), in: .main) }
        #expect(removeMissingSession?.code == .sessionNotFound)
        #expect(muteMissingSession?.code == .sessionNotFound)
        #expect(removeStranger?.code == .participantNotFound)
        #expect(muteNobody?.code == .participantNotFound)
        #expect(h.seq() == 1)
        #expect(h.seq(of: .other) == 1)
    }

    @Test func adminMuteIsAForcedMuteFannedOutToEveryone() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let actions = try h.admin { try $0.adminMute(bob.pid, in: .main) }
        guard case .send(.participantUpdated(let event), let recipients)? = actions.first, actions.count == 1 else {
            Issue.record("expected one participantUpdated: \(actions)")
            return
        }
        #expect(recipients == [alice.connection, bob.connection])
        #expect(event.changed == [.isAudioMuted])
        #expect(event.participant.isAudioMuted)
        #expect(event.seq == 3)
        #expect(event.by == nil)
        // Already muted: nothing to tell.
        #expect(try h.hub.adminMute(bob.pid, in: .main) == [])
        #expect(h.seq() == 3)
        h.expectConverged([alice.connection, bob.connection])
    }

    @Test func shutdownEndsEverySessionWith1001AndClosesSocketsThatNeverJoined() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob", session: .other)
        let idle = h.open()
        let pending = h.open()
        _ = h.send(.join(token: "t", settings: CallSettings(), resume: nil), from: pending)
        let actions = h.admin { $0.shutdown() }

        #expect(actions.messages(to: alice.connection) == [.sessionEnded(sessionID: .main, reason: .serverShutdown)])
        #expect(actions.messages(to: bob.connection) == [.sessionEnded(sessionID: .other, reason: .serverShutdown)])
        #expect(actions.deliveries(to: alice.connection).last == .close(.goingAway))
        for c in [alice.connection, bob.connection, idle, pending] {
            #expect(actions.closes(of: c) == [.goingAway], "\(c)")
        }
        #expect(actions.messages(to: idle).isEmpty)
        #expect(h.hub.sessionSummaries().isEmpty)
        #expect(h.verify(pending, .success(HubHarness.identity("late"))) == [])
        #expect(h.hub.sessionCount == 0)
    }
}
