@testable import SignalHubCore
import Testing

@Suite("resume: a dropped participant comes back with the same pid")
struct ResumeTests {
    /// Joins alice and bob, drops alice's socket, and lets bob raise his hand meanwhile.
    func dropAliceWhileBobActs(_ h: inout HubHarness) throws -> (alice: Member, bob: Member, lastSeq: UInt64) {
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let lastSeq = try #require(h.seq())  // alice saw bob's join
        h.close(alice.connection)
        h.send(.changeState(.raiseHand), from: bob.connection)
        return (alice, bob, lastSeq)
    }

    mutating func resume(_ h: inout HubHarness, uid: String, pid: ParticipantID, token: String, lastSeq: UInt64, session: SessionID = .main) -> (ConnectionID, [HubAction]) {
        let c = h.open()
        h.send(.join(token: "t", settings: CallSettings(), resume: ResumeRequest(pid: pid, resumeToken: token, lastSeq: lastSeq)), requestID: "r", from: c)
        return (c, h.verify(c, .success(HubHarness.identity(uid, session: session))))
    }

    @Test mutating func replaysMissedEventsThenRepliesJoinedWithTheSamePid() throws {
        var h = HubHarness()
        let (alice, bob, lastSeq) = try dropAliceWhileBobActs(&h)
        let seqBefore = try #require(h.seq())
        let (c, actions) = resume(&h, uid: "alice", pid: alice.pid, token: alice.reply.resumeToken, lastSeq: lastSeq)
        let received = actions.messages(to: c)
        #expect(received.count == 2)
        let replayed = try #require(received.first?.rosterEvent)
        #expect(replayed.seq == lastSeq + 1 && replayed.participant.pid == bob.pid && replayed.participant.isHandRaised)
        let reply = try #require(received.last?.joinedReply)
        #expect(reply.resumed && reply.selfParticipant.pid == alice.pid && reply.seq == seqBefore && reply.requestID == "r")
        #expect(reply.resumeToken != alice.reply.resumeToken, "the resume token rotates")
        // Nobody else heard anything, and the seq did not move.
        #expect(actions.filter { if case .send(_, let to) = $0 { to != [c] } else { true } }.isEmpty)
        #expect(h.seq() == seqBefore)
        // The grace timer no longer removes her, and she is live again.
        h.advance(by: h.hub.configuration.gracePeriodMs + 1)
        #expect(h.participant(alice.pid) != nil)
        let changed = h.send(.changeState(.muteAudio), from: c)
        #expect(changed.rosterEvents.first?.participant.pid == alice.pid)
        #expect(changed.messages(to: bob.connection).count == 1)
    }

    @Test mutating func aGapOlderThanTheHistoryGetsARosterSnapshot() throws {
        var h = HubHarness { $0.eventHistoryLimit = 2 }
        let (alice, bob, lastSeq) = try dropAliceWhileBobActs(&h)
        h.send(.changeState(.lowerHand), from: bob.connection)
        h.send(.changeState(.muteAudio), from: bob.connection)
        let (c, actions) = resume(&h, uid: "alice", pid: alice.pid, token: alice.reply.resumeToken, lastSeq: lastSeq)
        let received = actions.messages(to: c)
        guard case .roster(_, let seq, let participants, _)? = received.first else { Issue.record("no roster: \(received)"); return }
        #expect(seq == h.seq())
        #expect(participants.map(\.pid) == [alice.pid, bob.pid])
        #expect(received.last?.joinedReply?.resumed == true)
    }

    @Test mutating func upToDateClientsGetJustJoined() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        h.close(alice.connection)
        let (c, actions) = resume(&h, uid: "alice", pid: alice.pid, token: alice.reply.resumeToken, lastSeq: try #require(h.seq()))
        #expect(actions.messages(to: c).count == 1)
        #expect(actions.messages(to: c).first?.joinedReply?.resumed == true)
    }

    @Test mutating func aWrongResumeTokenNeverHijacks() throws {
        var h = HubHarness()
        let (alice, bob, lastSeq) = try dropAliceWhileBobActs(&h)
        let (c, actions) = resume(&h, uid: "alice", pid: alice.pid, token: "guess", lastSeq: lastSeq)
        #expect(actions.messages(to: c).first?.protocolError?.code == .authTokenInvalid)
        // Mallory has a call token for the room and alice's resume token: still not alice.
        let (m, stolen) = resume(&h, uid: "mallory", pid: alice.pid, token: alice.reply.resumeToken, lastSeq: lastSeq)
        #expect(stolen.messages(to: m).first?.protocolError?.code == .authTokenInvalid)
        #expect(stolen.messages(to: bob.connection).isEmpty)
        #expect(h.participant(alice.pid)?.uid == "alice")
    }

    @Test mutating func afterTheGracePeriodTheMemberMustRejoin() throws {
        var h = HubHarness()
        let (alice, bob, lastSeq) = try dropAliceWhileBobActs(&h)
        let left = h.advance(by: h.hub.configuration.gracePeriodMs + 1)
        #expect(left.rosterEvents.first?.leaveReason == .disconnected)
        let (c, actions) = resume(&h, uid: "alice", pid: alice.pid, token: alice.reply.resumeToken, lastSeq: lastSeq)
        #expect(actions.messages(to: c).first?.protocolError?.code == .participantNotFound)
        #expect(actions.messages(to: bob.connection).isEmpty)
        let again = try h.join("alice", on: c)
        #expect(again.pid != alice.pid && !again.reply.resumed)
    }

    @Test mutating func aResumeTakesOverAHalfOpenSocketWithoutEvents() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let (c, actions) = resume(&h, uid: "alice", pid: alice.pid, token: alice.reply.resumeToken, lastSeq: try #require(h.seq()))
        #expect(actions.closes(of: alice.connection) == [.replaced])
        #expect(actions.messages(to: bob.connection).isEmpty)
        #expect(actions.messages(to: c).last?.joinedReply?.selfParticipant.pid == alice.pid)
        // The old socket's close now changes nothing.
        #expect(h.close(alice.connection).isEmpty)
        h.advance(by: h.hub.configuration.gracePeriodMs + 1)
        #expect(h.participant(alice.pid) != nil)
    }

    @Test mutating func aResumeIntoAnotherSessionFindsNobody() throws {
        var h = HubHarness()
        let (alice, _, lastSeq) = try dropAliceWhileBobActs(&h)
        let (c, actions) = resume(&h, uid: "alice", pid: alice.pid, token: alice.reply.resumeToken, lastSeq: lastSeq, session: .other)
        #expect(actions.messages(to: c).first?.protocolError?.code == .participantNotFound)
    }

    @Test func secretsCompareByValue() {
        #expect(SignalingHub.constantTimeEquals("abc", "abc"))
        #expect(!SignalingHub.constantTimeEquals("abc", "abd"))
        #expect(!SignalingHub.constantTimeEquals("abc", "abcd"))
        #expect(!SignalingHub.constantTimeEquals("", "a"))
    }
}
