import SignalHubClient
import SignalHubCore
import Testing

@Suite("The client's roster replica")
struct RosterReplicaTests {
    let session = SessionID(validating: "s")!

    func person(_ n: Int, muted: Bool = false) -> Participant {
        Participant(pid: ParticipantID("p\(n)"), uid: "u\(n)", name: "n", avatar: nil, role: .participant, sessionType: .video,
                    isAudioMuted: muted, isVideoPaused: false, isHandRaised: false, joinedAt: 0)
    }

    @Test func appliesEventsInSeqOrderAndIgnoresStaleOnes() {
        var replica = RosterReplica()
        #expect(replica.apply(RosterEvent(sessionID: session, seq: 1, participant: person(1), kind: .joined)) == .waiting)
        replica.reset(seq: 1, participants: [person(1)])
        #expect(replica.apply(RosterEvent(sessionID: session, seq: 2, participant: person(2), kind: .joined)) == .applied)
        #expect(replica.apply(RosterEvent(sessionID: session, seq: 2, participant: person(2), kind: .joined)) == .stale)
        #expect(replica.apply(RosterEvent(sessionID: session, seq: 3, participant: person(1, muted: true), kind: .updated(changed: [.isAudioMuted], by: nil))) == .applied)
        #expect(replica.apply(RosterEvent(sessionID: session, seq: 4, participant: person(2), kind: .left(.left))) == .applied)
        #expect(replica.participants == [person(1, muted: true)])
        #expect(replica.seq == 4)
    }

    @Test func aGapWaitsForASnapshot() {
        var replica = RosterReplica()
        replica.reset(seq: 5, participants: [person(1)])
        #expect(replica.apply(RosterEvent(sessionID: session, seq: 7, participant: person(2), kind: .joined)) == .gap)
        #expect(replica.gapCount == 1)
        #expect(replica.apply(RosterEvent(sessionID: session, seq: 8, participant: person(3), kind: .joined)) == .waiting)
        replica.reset(seq: 8, participants: [person(1), person(2), person(3)])
        #expect(replica.apply(RosterEvent(sessionID: session, seq: 9, participant: person(3), kind: .left(.left))) == .applied)
        #expect(replica.participants.map(\.uid) == ["u1", "u2"])
    }
}
