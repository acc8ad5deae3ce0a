@testable import SignalHubCore
import Testing

@Suite("join: failures, ERROR_NOT_JOINED and ERROR_ALREADY_JOINED")
struct JoinFailureTests {
    static let sessionActions: [ClientMessage] = [
        .changeState(.muteAudio), .changeState(.unmuteAudio), .changeState(.pauseVideo),
        .changeState(.resumeVideo), .changeState(.raiseHand), .changeState(.lowerHand),
        .leave, .sync, .signal(to: ParticipantID("p1"), data: .null),
        .muteParticipant(ParticipantID("p1")), .removeParticipant(ParticipantID("p1")), .endSession,
    ]

    @Test(arguments: [ErrorCode.authTokenInvalid, .tokenExpired, .authTokenMissing])
    func tokenErrorsArePassedThroughWithTheJoinsRequestId(code: ErrorCode) throws {
        var h = HubHarness()
        let c = h.open()
        _ = h.send(.join(token: "bad", settings: CallSettings(), resume: nil), requestID: "j-1", from: c)
        let actions = h.verify(c, .failure(ProtocolError(code, "nope")))
        #expect(actions == [.send(.error(ProtocolError(code, "nope", requestID: "j-1")), to: [c])])
        #expect(h.hub.sessionCount == 0)
    }

    @Test func threeFailedJoinsCloseTheSocketWith1008() throws {
        var h = HubHarness()
        let c = h.open()
        for attempt in 1...3 {
            let asked = h.send(.join(token: "bad-\(attempt)", settings: CallSettings(), resume: nil), from: c)
            #expect(asked == [.verifyCallToken(c, token: "bad-\(attempt)")])
            let actions = h.verify(c, .failure(ProtocolError(.authTokenInvalid, "bad signature")))
            #expect(actions.messages(to: c).map(\.protocolError?.code) == [.authTokenInvalid])
            #expect(actions.closes(of: c) == (attempt == 3 ? [.policyViolation] : []))
        }
        // The error comes before the close, and nothing is accepted afterwards.
        #expect(h.deliveries(to: c).suffix(2).last == .close(.policyViolation))
        #expect(h.send(.join(token: "good", settings: CallSettings(), resume: nil), from: c) == [])
        #expect(h.send(.ping(ts: nil), from: c) == [])
    }

    @Test func aRefusedJoinForAFullSessionCountsAsAFailedJoin() throws {
        var h = HubHarness { $0.maxParticipantsPerSession = 1 }
        _ = try h.join("alice")
        let c = h.open()
        for _ in 1...3 {
            _ = h.send(.join(token: "t", settings: CallSettings(), resume: nil), from: c)
            _ = h.verify(c, .success(HubHarness.identity("bob")))
        }
        #expect(h.messages(to: c).map(\.protocolError?.code) == Array(repeating: .sessionFull, count: 3))
        #expect(h.closes(of: c) == [.policyViolation])
    }

    @Test func aJoinMaySucceedAfterFewerFailuresThanTheLimit() throws {
        var h = HubHarness()
        let c = h.open()
        for _ in 1...2 {
            _ = h.send(.join(token: "t", settings: CallSettings(), resume: nil), from: c)
            _ = h.verify(c, .failure(ProtocolError(.tokenExpired, "expired")))
        }
        let alice = try h.join("alice", on: c)
        #expect(alice.reply.seq == 1)
        #expect(h.closes(of: c).isEmpty)
    }

    @Test(arguments: sessionActions)
    func sessionActionsBeforeJoinAreNotJoined(message: ClientMessage) throws {
        var h = HubHarness()
        let bystander = try h.join("bystander")
        let c = h.open()
        let actions = h.send(message, requestID: "early", from: c)
        #expect(actions == [.send(.error(ProtocolError(.notJoined, "join a session first", requestID: "early")), to: [c])])
        #expect(h.messages(to: bystander.connection).count == 1)
        // The socket stays open and may still join.
        _ = try h.join("late", on: c)
    }

    @Test(arguments: sessionActions)
    func sessionActionsWhileTheTokenIsCheckedAreNotJoined(message: ClientMessage) {
        var h = HubHarness()
        let c = h.open()
        _ = h.send(.join(token: "t", settings: CallSettings(), resume: nil), from: c)
        let actions = h.send(message, requestID: "eager", from: c)
        #expect(actions.messages(to: c).map(\.protocolError?.code) == [.notJoined])
        #expect(actions.messages(to: c).first?.protocolError?.requestID == "eager")
    }

    @Test func aSecondJoinOnAJoinedSocketIsAlreadyJoined() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let seq = h.seq()
        let actions = h.send(.join(token: "again", settings: CallSettings(), resume: nil), requestID: "j2", from: alice.connection)
        #expect(actions.count == 1)
        let error = try #require(actions.messages(to: alice.connection).first?.protocolError)
        #expect(error.code == .alreadyJoined)
        #expect(error.requestID == "j2")
        #expect(h.seq() == seq)
        #expect(h.messages(to: bob.connection).count == 1)
        #expect(h.closes(of: alice.connection).isEmpty)
    }

    @Test func aSecondJoinWhileTheFirstIsCheckedIsAlreadyJoined() {
        var h = HubHarness()
        let c = h.open()
        _ = h.send(.join(token: "t1", settings: CallSettings(), resume: nil), from: c)
        let actions = h.send(.join(token: "t2", settings: CallSettings(), resume: nil), from: c)
        #expect(actions.messages(to: c).map(\.protocolError?.code) == [.alreadyJoined])
        #expect(!actions.contains(.verifyCallToken(c, token: "t2")))
    }

    @Test func aVerificationNobodyWaitsForIsIgnored() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        #expect(h.verify(alice.connection, .success(HubHarness.identity("mallory"))) == [])
        #expect(h.verify(ConnectionID(999), .success(HubHarness.identity("mallory"))) == [])
        let c = h.open()
        _ = h.send(.join(token: "t", settings: CallSettings(), resume: nil), from: c)
        #expect(h.close(c) == [])
        #expect(h.verify(c, .success(HubHarness.identity("ghost"))) == [])
        #expect(h.hub.roster(of: .main)?.participants.map(\.uid) == ["alice"])
    }

    @Test func aParseErrorGetsAnErrorAndNothingElse() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let error = ProtocolError(.validationError, "bad", requestID: "x")
        let now = h.now
        let actions = h.hub.received(.failure(error), from: alice.connection, at: now)
        #expect(actions == [.send(.error(error), to: [alice.connection])])
        #expect(h.participant(alice.pid) != nil)
    }

    @Test func malformedJoinsCountTowardTheFailedJoinLimit() throws {
        var h = HubHarness()
        let c = h.open()
        let badSettings = ClientMessageParser.parse(.object(["type": .string("join"), "token": .string("t"), "settings": .object(["layout": .string("GRID")])]))
        let noToken = ClientMessageParser.parse(.object(["type": .string("join")]))
        guard case .failure(let settingsError) = badSettings, case .failure(let tokenError) = noToken else {
            Issue.record("the parser accepted a bad join"); return
        }
        #expect(settingsError.refusesJoin && tokenError.refusesJoin)
        let now = h.now
        #expect(h.hub.received(badSettings, from: c, at: now) == [.send(.error(settingsError), to: [c])])
        #expect(h.hub.received(noToken, from: c, at: now) == [.send(.error(tokenError), to: [c])])
        let third = h.hub.received(badSettings, from: c, at: now)
        #expect(third == [.send(.error(settingsError), to: [c]), .close(c, .policyViolation, reason: "too many failed joins")])
    }

    @Test func otherMalformedMessagesDoNotCountAsFailedJoins() throws {
        var h = HubHarness()
        let c = h.open()
        let bad = ClientMessageParser.parse(.object(["type": .string("muteParticipant"), "pid": .integer(5)]))
        let now = h.now
        for _ in 0..<5 {
            let actions = h.hub.received(bad, from: c, at: now)
            #expect(actions.allSatisfy { if case .close = $0 { false } else { true } })
        }
    }
}
