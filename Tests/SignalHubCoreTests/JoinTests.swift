@testable import SignalHubCore
import Testing

@Suite("join: the joined reply and participantJoined")
struct JoinTests {
    @Test func firstJoinerGetsASnapshotOfItself() throws {
        var h = HubHarness()
        let alice = try h.join("alice", avatar: "https://example.com/a.png", requestID: "r-1")
        let reply = alice.reply
        let me = reply.selfParticipant

        #expect(reply.sessionID == .main)
        #expect(reply.requestID == "r-1")
        #expect(reply.resumed == false)
        #expect(reply.seq == 1)
        #expect(reply.participants == [me])
        #expect(reply.settings == CallSettings())
        #expect(reply.heartbeat == Heartbeat(intervalMs: 20_000, timeoutMs: 30_000))
        #expect(reply.resumeToken.count == 22)
        #expect(me.uid == "alice")
        #expect(me.name == "Name of alice")
        #expect(me.avatar == "https://example.com/a.png")
        #expect(me.role == .participant)
        #expect(me.sessionType == .video)
        #expect(!me.isAudioMuted && !me.isVideoPaused && !me.isHandRaised)
        #expect(me.joinedAt == h.now.unixMs)
        // Nobody else to tell: the reply is the only action.
        #expect(alice.actions == [.send(.joined(reply), to: [alice.connection])])
        #expect(h.hub.roster(of: .main)?.participants == [me])
        #expect(h.seq() == 1)
    }

    @Test func laterJoinerSeesEveryoneInJoinOrderAndTheOthersHearOfIt() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        h.monotonicMs += 7
        let bob = try h.join("bob", role: .moderator)
        h.monotonicMs += 7
        let settings = CallSettings(sessionType: .video, layout: .spotlight)
        let carol = try h.join("carol", settings: settings, requestID: "join-carol")

        #expect(carol.reply.participants.map(\.pid) == [alice.pid, bob.pid, carol.pid])
        #expect(carol.reply.participants.map(\.uid) == ["alice", "bob", "carol"])
        #expect(carol.reply.participants[1].role == .moderator)
        #expect(carol.reply.participants[1].joinedAt == alice.reply.selfParticipant.joinedAt + 7)
        #expect(carol.reply.seq == 3)
        #expect(carol.reply.settings.layout == .spotlight)
        #expect(carol.reply.requestID == "join-carol")
        #expect(bob.reply.participants.map(\.pid) == [alice.pid, bob.pid])
        #expect(bob.reply.seq == 2)

        // The reply first, then one participantJoined to the others (not the joiner).
        let event = RosterEvent(sessionID: .main, seq: 3, participant: carol.reply.selfParticipant, kind: .joined)
        #expect(carol.actions == [
            .send(.joined(carol.reply), to: [carol.connection]),
            .send(.participantJoined(event), to: [alice.connection, bob.connection]),
        ])
        #expect(Set([alice.pid, bob.pid, carol.pid]).count == 3)
        #expect(Set([alice.reply.resumeToken, bob.reply.resumeToken, carol.reply.resumeToken]).count == 3)
        h.expectConverged([alice.connection, bob.connection, carol.connection])
    }

    @Test func effectiveSettingsAreEchoed() throws {
        var h = HubHarness()
        let voice = try h.join("v", settings: CallSettings(sessionType: .voice, layout: .sidebar, startAudioMuted: true))
        #expect(voice.reply.settings == CallSettings(sessionType: .voice, layout: .sidebar, startAudioMuted: true, startVideoPaused: true))
    }

    @Test func nothingIsAnnouncedUntilTheTokenIsVerified() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let pending = h.open()
        let asked = h.send(.join(token: "tok", settings: CallSettings(), resume: nil), from: pending)
        #expect(asked == [.verifyCallToken(pending, token: "tok")])
        #expect(h.hub.roster(of: .main)?.count == 1)
        #expect(h.messages(to: alice.connection).count == 1)  // just its own joined
        let admitted = h.verify(pending, .success(HubHarness.identity("bob")))
        #expect(admitted.rosterEvents.map(\.seq) == [2])
    }

    @Test func theSessionJoinedIsTheOneInTheToken() throws {
        var h = HubHarness()
        let alice = try h.join("alice", session: .main)
        let bob = try h.join("bob", session: .other)
        #expect(bob.reply.sessionID == .other)
        #expect(bob.reply.participants.map(\.uid) == ["bob"])
        #expect(bob.reply.seq == 1)
        #expect(h.messages(to: alice.connection).count == 1)
        #expect(h.hub.sessionSummaries().map(\.sessionID) == [.main, .other])
    }

    @Test func pidsAreDistinctAndWellFormed() throws {
        var h = HubHarness(seed: 7)
        var pids: Set<ParticipantID> = []
        for index in 0..<20 { pids.insert(try h.join("user-\(index)").pid) }
        #expect(pids.count == 20)
        #expect(pids.allSatisfy { $0.rawValue.hasPrefix("p") && $0.rawValue.count == 12 })
    }

    /// Yields the same 5 numbers over and over: a pid takes 2 draws (10 + 1 characters) and a
    /// 22-character resume token 3, when no 6-bit chunk is skipped, so the second join's
    /// first pid candidate repeats the first pid.
    struct Cycle: RandomNumberGenerator {
        var values: [UInt64]
        var index = 0
        mutating func next() -> UInt64 {
            defer { index = (index + 1) % values.count }
            return values[index]
        }
    }

    @Test func aPidThatIsAlreadyTakenIsDrawnAgain() throws {
        var seed = SplitMix64(seed: 3)
        // The top bit of each 6-bit chunk cleared: every chunk is below 62, none is skipped.
        let noSkips = ~(0..<10).reduce(UInt64(0)) { $0 | (1 << (6 * $1 + 5)) }
        let cycle = Cycle(values: (0..<5).map { _ in seed.next() & noSkips })
        var h = HubHarness()
        h.hub = SignalingHub(random: cycle)
        let first = try h.join("alice")
        let second = try h.join("bob")
        #expect(first.pid != second.pid)
        #expect(h.hub.roster(of: .main)?.count == 2)
    }
}

@Suite("join: start states and VOICE")
struct StartStateTests {
    struct Start: Sendable, CustomTestStringConvertible {
        let audioMuted: Bool
        let videoPaused: Bool
        var testDescription: String { "startAudioMuted \(audioMuted), startVideoPaused \(videoPaused)" }
    }

    @Test(arguments: [
        Start(audioMuted: false, videoPaused: false), Start(audioMuted: true, videoPaused: false),
        Start(audioMuted: false, videoPaused: true), Start(audioMuted: true, videoPaused: true),
    ])
    func startStatesHoldInTheFirstEventTheOthersSee(start: Start) throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let settings = CallSettings(startAudioMuted: start.audioMuted, startVideoPaused: start.videoPaused)
        let bob = try h.join("bob", settings: settings)

        let seen = try #require(h.messages(to: alice.connection).compactMap(\.rosterEvent).first)
        #expect(seen.isJoin)
        #expect(seen.participant.pid == bob.pid)
        #expect(seen.participant.isAudioMuted == start.audioMuted)
        #expect(seen.participant.isVideoPaused == start.videoPaused)
        #expect(bob.reply.selfParticipant.isAudioMuted == start.audioMuted)
        #expect(bob.reply.selfParticipant.isVideoPaused == start.videoPaused)
        #expect(h.participant(bob.pid) == seen.participant)
    }

    @Test(arguments: [false, true])
    func voiceParticipantsAlwaysHavePausedVideo(startVideoPaused: Bool) throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob", settings: CallSettings(sessionType: .voice, startVideoPaused: startVideoPaused))
        let seen = try #require(h.messages(to: alice.connection).compactMap(\.rosterEvent).first)
        #expect(seen.participant.sessionType == .voice)
        #expect(seen.participant.isVideoPaused)
        #expect(bob.reply.selfParticipant.isVideoPaused)
        #expect(bob.reply.settings.startVideoPaused)

        let seq = h.seq()
        let resumed = h.send(.changeState(.resumeVideo), requestID: "rv", from: bob.connection)
        #expect(resumed == [.send(.ack(requestID: "rv"), to: [bob.connection])])
        #expect(h.participant(bob.pid)?.isVideoPaused == true)
        #expect(h.seq() == seq)
    }
}
