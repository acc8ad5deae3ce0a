@testable import SignalHubCore
import Testing

@Suite("ping, sync and signal")
struct PingSyncSignalTests {
    @Test(arguments: [JSONValue.integer(42), .double(1.5), .integer(-7)])
    func pingBeforeJoinEchoesTs(ts: JSONValue) {
        var h = HubHarness()
        let c = h.open()
        let actions = h.send(.ping(ts: ts), requestID: "p", from: c)
        #expect(actions == [.send(.pong(ts: ts, serverTime: h.now.unixMs, requestID: "p"), to: [c])])
    }

    @Test func pingWorksWhileAuthenticatingAndAfterJoin() throws {
        var h = HubHarness()
        let c = h.open()
        _ = h.send(.join(token: "t", settings: CallSettings(), resume: nil), from: c)
        #expect(h.send(.ping(ts: nil), from: c) == [.send(.pong(ts: nil, serverTime: h.now.unixMs, requestID: nil), to: [c])])
        _ = h.verify(c, .success(HubHarness.identity("alice")))
        h.monotonicMs += 250
        #expect(h.send(.ping(ts: .integer(9)), from: c) == [.send(.pong(ts: .integer(9), serverTime: h.now.unixMs, requestID: nil), to: [c])])
        #expect(h.seq() == 1)
    }

    @Test func pingDoesNotStopTheJoinTimeout() {
        var h = HubHarness()
        let c = h.open()
        _ = h.advance(by: 9_000)
        _ = h.send(.ping(ts: nil), from: c)
        #expect(h.advance(by: 1_000).closes(of: c) == [.policyViolation])
    }

    @Test func syncReturnsTheCurrentRosterAndSeq() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        _ = h.send(.changeState(.muteAudio), from: bob.connection)
        let roster = try #require(h.hub.roster(of: .main))
        let actions = h.send(.sync, requestID: "s", from: alice.connection)
        #expect(actions == [.send(.roster(sessionID: .main, seq: 3, participants: roster.participants, requestID: "s"), to: [alice.connection])])
        #expect(roster.participants.map(\.pid) == [alice.pid, bob.pid])
        #expect(h.seq() == 3)
        h.expectConverged([alice.connection, bob.connection])
    }

    @Test func signalGoesToItsTargetOnly() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let carol = try h.join("carol")
        let data = JSONValue.object(["sdp": .string("v=0"), "kind": .string("offer")])
        let actions = h.send(.signal(to: bob.pid, data: data), requestID: "sig", from: alice.connection)
        #expect(actions == [
            .send(.ack(requestID: "sig"), to: [alice.connection]),
            .send(.signal(from: alice.pid, data: data), to: [bob.connection]),
        ])
        #expect(h.messages(to: carol.connection).count == 1)
        #expect(h.seq() == 3)
    }

    @Test func signalToAnUnknownPidIsParticipantNotFound() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let stranger = try h.join("stranger", session: .other)
        for target in [ParticipantID("pNOBODY"), stranger.pid] {
            let actions = h.send(.signal(to: target, data: .null), requestID: "s", from: alice.connection)
            #expect(actions.messages(to: alice.connection).map(\.protocolError?.code) == [.participantNotFound])
            #expect(actions.messages(to: alice.connection).first?.protocolError?.requestID == "s")
        }
        #expect(h.messages(to: stranger.connection).count == 1)
    }

    @Test func signalToAMemberInItsGracePeriodIsAckedAndDropped() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        _ = h.close(bob.connection)
        let actions = h.send(.signal(to: bob.pid, data: .bool(true)), from: alice.connection)
        #expect(actions == [.send(.ack(requestID: nil), to: [alice.connection])])
    }
}
