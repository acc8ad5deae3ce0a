@testable import SignalHubCore
import Testing

@Suite("SessionRoster")
struct SessionRosterTests {
    static func person(_ n: Int, type: CallSettings.SessionType = .video) -> Participant {
        Participant(
            pid: ParticipantID("p\(n)"), uid: "u\(n)", name: "User \(n)", avatar: nil, role: .participant,
            sessionType: type, isAudioMuted: false, isVideoPaused: type == .voice, isHandRaised: false, joinedAt: Int64(n)
        )
    }

    @Test func addNumbersEachEventWithTheNextSeq() {
        var roster = SessionRoster(sessionID: .main)
        #expect(roster.seq == 0)
        #expect(roster.isEmpty)
        let first = roster.add(Self.person(1))
        let second = roster.add(Self.person(2))
        #expect(first == RosterEvent(sessionID: .main, seq: 1, participant: Self.person(1), kind: .joined))
        #expect(second.seq == 2)
        #expect(roster.seq == 2)
        #expect(roster.count == 2)
        #expect(roster.participants == [Self.person(1), Self.person(2)])
    }

    @Test func aRosterMayStartFromAnyAgreedSeq() {
        var roster = SessionRoster(sessionID: .main, seq: 41)
        #expect(roster.add(Self.person(1)).seq == 42)
    }

    @Test func applyReturnsTheNewStateAndTheChangedField() throws {
        var roster = SessionRoster(sessionID: .main)
        _ = roster.add(Self.person(1))
        let applied = roster.apply(.raiseHand, to: ParticipantID("p1"), by: ParticipantID("p9"))
        let event = try #require(applied)
        #expect(event.seq == 2)
        #expect(event.kind == .updated(changed: [.isHandRaised], by: ParticipantID("p9")))
        #expect(event.participant.isHandRaised)
        #expect(roster.participant(ParticipantID("p1"))?.isHandRaised == true)
    }

    @Test func applyThatChangesNothingReturnsNilAndKeepsSeq() {
        var roster = SessionRoster(sessionID: .main)
        _ = roster.add(Self.person(1))
        _ = roster.add(Self.person(2, type: .voice))
        #expect(roster.apply(.unmuteAudio, to: ParticipantID("p1")) == nil)
        #expect(roster.apply(.lowerHand, to: ParticipantID("p1")) == nil)
        #expect(roster.apply(.resumeVideo, to: ParticipantID("p1")) == nil)
        #expect(roster.apply(.resumeVideo, to: ParticipantID("p2")) == nil)
        #expect(roster.apply(.pauseVideo, to: ParticipantID("p2")) == nil)
        #expect(roster.apply(.muteAudio, to: ParticipantID("nobody")) == nil)
        #expect(roster.seq == 2)
        #expect(roster.participant(ParticipantID("p2"))?.isVideoPaused == true)
    }

    @Test func aStateChangeRoundTrips() throws {
        var roster = SessionRoster(sessionID: .main)
        _ = roster.add(Self.person(1))
        let pid = ParticipantID("p1")
        for (change, expected) in [(StateChange.muteAudio, true), (.unmuteAudio, false)] {
            let applied = roster.apply(change, to: pid)
            let event = try #require(applied)
            #expect(event.participant.isAudioMuted == expected)
        }
        for (change, expected) in [(StateChange.pauseVideo, true), (.resumeVideo, false)] {
            let applied = roster.apply(change, to: pid)
            let event = try #require(applied)
            #expect(event.participant.isVideoPaused == expected)
        }
        #expect(roster.seq == 5)
        #expect(roster.participant(pid) == Self.person(1))
    }

    @Test func removeKeepsTheOthersInJoinOrder() throws {
        var roster = SessionRoster(sessionID: .main)
        for n in 1...4 { _ = roster.add(Self.person(n)) }
        _ = roster.apply(.muteAudio, to: ParticipantID("p2"))
        let removed = roster.remove(ParticipantID("p2"), reason: .removed)
        let left = try #require(removed)
        #expect(left.seq == 6)
        #expect(left.kind == .left(.removed))
        #expect(left.participant.isAudioMuted)  // its last state
        #expect(roster.participants.map(\.pid.rawValue) == ["p1", "p3", "p4"])
        _ = roster.add(Self.person(2))
        #expect(roster.participants.map(\.pid.rawValue) == ["p1", "p3", "p4", "p2"])
        #expect(roster.remove(ParticipantID("nobody"), reason: .left) == nil)
        #expect(roster.seq == 7)
    }

    @Test func participantsCanBeFoundByPidAndUid() {
        var roster = SessionRoster(sessionID: .main)
        _ = roster.add(Self.person(1))
        _ = roster.add(Self.person(2))
        #expect(roster.participant(uid: "u2")?.pid == ParticipantID("p2"))
        #expect(roster.participant(uid: "u3") == nil)
        #expect(roster.participant(ParticipantID("p1"))?.uid == "u1")
        _ = roster.remove(ParticipantID("p2"), reason: .left)
        #expect(roster.participant(uid: "u2") == nil)
        #expect(roster.isEmpty == false)
    }

    @Test func stateChangesMapToTheirFields() {
        #expect([StateChange.muteAudio, .unmuteAudio].map(\.field) == [.isAudioMuted, .isAudioMuted])
        #expect([StateChange.pauseVideo, .resumeVideo].map(\.field) == [.isVideoPaused, .isVideoPaused])
        #expect([StateChange.raiseHand, .lowerHand].map(\.field) == [.isHandRaised, .isHandRaised])
        #expect([StateChange.muteAudio, .pauseVideo, .raiseHand].map(\.newValue) == [true, true, true])
        #expect([StateChange.unmuteAudio, .resumeVideo, .lowerHand].map(\.newValue) == [false, false, false])
    }
}

extension SessionRosterTests {
    @Test func sessionIDsAreValidated() {
        #expect(SessionID(validating: "Room_1.a:b-c") != nil)
        #expect(SessionID(validating: String(repeating: "x", count: 128)) != nil)
        for bad in ["", String(repeating: "x", count: 129), "room 1", "room/1", "räum", "a#b"] {
            #expect(SessionID(validating: bad) == nil, "\(bad)")
        }
        #expect(UserID.isValid("u") && UserID.isValid(String(repeating: "u", count: 128)))
        #expect(!UserID.isValid("") && !UserID.isValid(String(repeating: "u", count: 129)))
    }
}
