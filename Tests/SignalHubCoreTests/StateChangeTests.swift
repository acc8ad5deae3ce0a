@testable import SignalHubCore
import Testing

@Suite("mute, unmute, pause, resume, raise and lower hand")
struct StateChangeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let change: StateChange
        /// What to send first so that `change` changes something.
        let setup: StateChange?
        let field: ParticipantField
        let value: Bool
        var testDescription: String { "\(change)" }
    }

    static let changes: [Case] = [
        Case(change: .muteAudio, setup: nil, field: .isAudioMuted, value: true),
        Case(change: .unmuteAudio, setup: .muteAudio, field: .isAudioMuted, value: false),
        Case(change: .pauseVideo, setup: nil, field: .isVideoPaused, value: true),
        Case(change: .resumeVideo, setup: .pauseVideo, field: .isVideoPaused, value: false),
        Case(change: .raiseHand, setup: nil, field: .isHandRaised, value: true),
        Case(change: .lowerHand, setup: .raiseHand, field: .isHandRaised, value: false),
    ]

    static func value(_ field: ParticipantField, of participant: Participant) -> Bool {
        switch field {
        case .isAudioMuted: participant.isAudioMuted
        case .isVideoPaused: participant.isVideoPaused
        case .isHandRaised: participant.isHandRaised
        }
    }

    @Test(arguments: changes)
    func aChangeIsAckedThenFannedOutToEveryoneIncludingTheSender(c: Case) throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let carol = try h.join("carol")
        if let setup = c.setup { _ = h.send(.changeState(setup), from: bob.connection) }
        let before = try #require(h.participant(bob.pid))
        let seq = try #require(h.seq())

        let actions = h.send(.changeState(c.change), requestID: "req-\(c.change)", from: bob.connection)

        #expect(actions.count == 2)
        #expect(actions.first == .send(.ack(requestID: "req-\(c.change)"), to: [bob.connection]))
        guard case .send(.participantUpdated(let event), let recipients)? = actions.last else {
            Issue.record("no participantUpdated: \(actions)")
            return
        }
        #expect(recipients == [alice.connection, bob.connection, carol.connection])
        #expect(event.sessionID == .main)
        #expect(event.seq == seq + 1)
        #expect(event.changed == [c.field])
        #expect(event.by == nil)
        #expect(event.participant.pid == bob.pid)
        #expect(Self.value(c.field, of: event.participant) == c.value)
        #expect(Self.value(c.field, of: before) != c.value)
        #expect(h.participant(bob.pid) == event.participant)
        #expect(h.seq() == seq + 1)
        h.expectConverged([alice.connection, bob.connection, carol.connection])
    }

    @Test(arguments: changes)
    func aChangeThatChangesNothingIsAckedWithoutAnEvent(c: Case) throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        // Bring bob into the target state first (for unmute, resume and lower it already is).
        _ = h.send(.changeState(c.change), from: bob.connection)
        let state = h.participant(bob.pid)
        let seq = h.seq()
        let received = h.messages(to: alice.connection).count

        let actions = h.send(.changeState(c.change), requestID: "again", from: bob.connection)

        #expect(actions == [.send(.ack(requestID: "again"), to: [bob.connection])])
        #expect(h.seq() == seq)
        #expect(h.participant(bob.pid) == state)
        #expect(h.messages(to: alice.connection).count == received)
    }

    @Test func changesInTheDefaultStateAreNoOps() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        for change in [StateChange.unmuteAudio, .resumeVideo, .lowerHand] {
            #expect(h.send(.changeState(change), from: alice.connection) == [.send(.ack(requestID: nil), to: [alice.connection])])
        }
        #expect(h.seq() == 1)
    }

    @Test func onlyTheChangedFieldChanges() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        _ = h.send(.changeState(.muteAudio), from: alice.connection)
        _ = h.send(.changeState(.raiseHand), from: alice.connection)
        let p = try #require(h.participant(alice.pid))
        #expect(p.isAudioMuted && p.isHandRaised && !p.isVideoPaused)
        let original = alice.reply.selfParticipant
        #expect(p.pid == original.pid)
        #expect(p.uid == original.uid)
        #expect(p.joinedAt == original.joinedAt)
        #expect(h.seq() == 3)
    }

    @Test func aVoiceParticipantCanNeitherPauseNorResumeVideo() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let voice = try h.join("voice", settings: CallSettings(sessionType: .voice))
        for change in [StateChange.resumeVideo, .pauseVideo, .resumeVideo] {
            #expect(h.send(.changeState(change), from: voice.connection) == [.send(.ack(requestID: nil), to: [voice.connection])])
        }
        #expect(h.participant(voice.pid)?.isVideoPaused == true)
        #expect(h.seq() == 2)
        // Audio still works for VOICE.
        let muted = h.send(.changeState(.muteAudio), from: voice.connection)
        #expect(muted.rosterEvents.map(\.changed) == [[.isAudioMuted]])
        h.expectConverged([alice.connection, voice.connection])
    }

    @Test func aMemberInItsGracePeriodIsNotSentEvents() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        _ = h.close(bob.connection)
        let actions = h.send(.changeState(.raiseHand), from: alice.connection)
        #expect(actions.last == .send(.participantUpdated(try #require(actions.rosterEvents.first)), to: [alice.connection]))
    }
}
