@testable import SignalHubCore
import Testing

@Suite("moderator actions")
struct ModeratorTests {
    struct Room {
        var h = HubHarness()
        let mod: Member
        let alice: Member
        let bob: Member
        var all: [ConnectionID] { [mod.connection, alice.connection, bob.connection] }

        init() throws {
            mod = try h.join("mod", role: .moderator)
            alice = try h.join("alice")
            bob = try h.join("bob")
        }
    }

    @Test func muteParticipantIsAckedAndFannedOutWithBy() throws {
        var r = try Room()
        let actions = r.h.send(.muteParticipant(r.alice.pid), requestID: "m", from: r.mod.connection)
        #expect(actions.first == .send(.ack(requestID: "m"), to: [r.mod.connection]))
        guard case .send(.participantUpdated(let event), let recipients)? = actions.last, actions.count == 2 else {
            Issue.record("expected ack and participantUpdated: \(actions)")
            return
        }
        #expect(recipients == r.all)
        #expect(event.by == r.mod.pid)
        #expect(event.changed == [.isAudioMuted])
        #expect(event.participant.pid == r.alice.pid)
        #expect(event.participant.isAudioMuted)
        #expect(event.seq == 4)
        r.h.expectConverged(r.all)
    }

    @Test func mutingSomeoneAlreadyMutedIsAckedWithoutAnEvent() throws {
        var r = try Room()
        _ = r.h.send(.changeState(.muteAudio), from: r.alice.connection)
        let actions = r.h.send(.muteParticipant(r.alice.pid), from: r.mod.connection)
        #expect(actions == [.send(.ack(requestID: nil), to: [r.mod.connection])])
        #expect(r.h.seq() == 4)
    }

    @Test func theMutedParticipantMayUnmuteItself() throws {
        var r = try Room()
        _ = r.h.send(.muteParticipant(r.alice.pid), from: r.mod.connection)
        let actions = r.h.send(.changeState(.unmuteAudio), from: r.alice.connection)
        #expect(actions.rosterEvents.map(\.by) == [nil])
        #expect(r.h.participant(r.alice.pid)?.isAudioMuted == false)
    }

    @Test func removeParticipantAcksThenRemovesWith4002() throws {
        var r = try Room()
        let aliceState = try #require(r.h.participant(r.alice.pid))
        let actions = r.h.send(.removeParticipant(r.alice.pid), requestID: "rm", from: r.mod.connection)
        let left = RosterEvent(sessionID: .main, seq: 4, participant: aliceState, kind: .left(.removed))
        #expect(actions == [
            .send(.ack(requestID: "rm"), to: [r.mod.connection]),
            .send(.participantLeft(left), to: [r.mod.connection, r.bob.connection, r.alice.connection]),
            .close(r.alice.connection, .removed, reason: "removed"),
        ])
        #expect(r.h.participant(r.alice.pid) == nil)
        #expect(r.h.closes(of: r.bob.connection).isEmpty)
        #expect(r.h.close(r.alice.connection) == [])
        r.h.expectConverged([r.mod.connection, r.bob.connection])
    }

    @Test func endSessionTellsEveryoneAndClosesEveryoneWith4003() throws {
        var r = try Room()
        let other = try r.h.join("other", session: .other)
        let actions = r.h.send(.endSession, requestID: "end", from: r.mod.connection)
        #expect(actions == [
            .send(.ack(requestID: "end"), to: [r.mod.connection]),
            .send(.sessionEnded(sessionID: .main, reason: .endedByModerator), to: r.all),
            .close(r.mod.connection, .sessionEnded, reason: "endedByModerator"),
            .close(r.alice.connection, .sessionEnded, reason: "endedByModerator"),
            .close(r.bob.connection, .sessionEnded, reason: "endedByModerator"),
        ])
        #expect(r.h.hub.roster(of: .main) == nil)
        #expect(r.h.hub.sessionSummaries().map(\.sessionID) == [.other])
        #expect(r.h.messages(to: other.connection).count == 1)
        for c in r.all { #expect(r.h.send(.ping(ts: nil), from: c) == []) }
    }

    static let moderatorActions: [String] = ["mute", "remove", "end"]

    static func message(_ name: String, target: ParticipantID) -> ClientMessage {
        switch name {
        case "mute": .muteParticipant(target)
        case "remove": .removeParticipant(target)
        default: .endSession
        }
    }

    @Test(arguments: moderatorActions)
    func aParticipantWithoutTheRoleIsForbiddenAndNobodyNotices(action: String) throws {
        var r = try Room()
        let before = r.all.map { r.h.messages(to: $0).count }
        let roster = r.h.hub.roster(of: .main)?.participants
        let actions = r.h.send(Self.message(action, target: r.bob.pid), requestID: "no", from: r.alice.connection)
        #expect(actions.count == 1)
        let error = try #require(actions.messages(to: r.alice.connection).first?.protocolError)
        #expect(error.code == .forbidden)
        #expect(error.requestID == "no")
        #expect(r.h.hub.roster(of: .main)?.participants == roster)
        #expect(r.h.seq() == 3)
        #expect(r.all.map { r.h.messages(to: $0).count } == before.enumerated().map { $0.offset == 1 ? $0.element + 1 : $0.element })
        #expect(r.all.allSatisfy { r.h.closes(of: $0).isEmpty })
    }

    @Test(arguments: ["mute", "remove"])
    func aTargetNotInTheSessionIsParticipantNotFound(action: String) throws {
        var r = try Room()
        let stranger = try r.h.join("stranger", session: .other)
        for target in [ParticipantID("pNOBODY"), stranger.pid] {
            let actions = r.h.send(Self.message(action, target: target), requestID: "nf", from: r.mod.connection)
            #expect(actions == [.send(.error(ProtocolError(.participantNotFound, "no participant \(target) in this session", requestID: "nf")), to: [r.mod.connection])])
        }
        #expect(r.h.seq() == 3)
        #expect(r.h.participant(stranger.pid, in: .other)?.isAudioMuted == false)
    }

    @Test func aModeratorMayActOnAMemberInItsGracePeriod() throws {
        var r = try Room()
        _ = r.h.close(r.alice.connection)
        let actions = r.h.send(.removeParticipant(r.alice.pid), from: r.mod.connection)
        #expect(actions.rosterEvents.map(\.leaveReason) == [.removed])
        #expect(actions.closes(of: r.alice.connection).isEmpty)
        #expect(r.h.advance(by: 60_000).rosterEvents.isEmpty)
        r.h.expectConverged([r.mod.connection, r.bob.connection])
    }
}
