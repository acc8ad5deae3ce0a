import SignalHubCore
import SignalHubWire
import Testing

@Suite("Reading hub frames back")
struct ServerMessageParserTests {
    let encoder = MessageEncoder()
    let session = SessionID(validating: "s")!
    let alice = Participant(
        pid: ParticipantID("p1"), uid: "alice", name: "Alice", avatar: "a.png", role: .moderator, sessionType: .voice,
        isAudioMuted: true, isVideoPaused: true, isHandRaised: false, joinedAt: 1_700_000_000_000)

    func roundTrip(_ message: ServerMessage) throws -> [ServerMessage] {
        try encoder.encode(message).bytes.withUnsafeBytes { ServerMessageParser.parseFrame($0) }.get()
    }

    @Test func everyMessageSurvivesEncodeThenParse() throws {
        let messages: [ServerMessage] = [
            .joined(JoinedReply(
                sessionID: session, selfParticipant: alice, participants: [alice], seq: 3, resumeToken: "r",
                settings: CallSettings(sessionType: .voice, layout: .spotlight, startAudioMuted: true, startVideoPaused: true),
                heartbeat: Heartbeat(intervalMs: 1, timeoutMs: 2), resumed: true, requestID: "j")),
            .participantJoined(RosterEvent(sessionID: session, seq: 4, participant: alice, kind: .joined)),
            .participantUpdated(RosterEvent(sessionID: session, seq: 5, participant: alice, kind: .updated(changed: [.isAudioMuted, .isHandRaised], by: ParticipantID("m")))),
            .participantLeft(RosterEvent(sessionID: session, seq: 6, participant: alice, kind: .left(.removed))),
            .roster(sessionID: session, seq: 6, participants: [alice], requestID: "q"),
            .ack(requestID: "a"), .ack(requestID: nil),
            .left(sessionID: session, requestID: nil),
            .error(ProtocolError(.forbidden, "no", requestID: "e")),
            .pong(ts: .integer(7), serverTime: 9, requestID: nil),
            .signal(from: ParticipantID("p2"), data: .object(["sdp": .string("x")])),
            .sessionEnded(sessionID: session, reason: .endedByModerator),
        ]
        for message in messages {
            #expect(try roundTrip(message) == [message])
        }
    }

    @Test func readsBatchesInOrder() throws {
        let batch = #"[{"type":"ack","requestId":"1"},{"type":"ack","requestId":"2"}]"#
        let parsed = try Array(batch.utf8).withUnsafeBytes { ServerMessageParser.parseFrame($0) }.get()
        #expect(parsed == [.ack(requestID: "1"), .ack(requestID: "2")])
    }

    @Test(arguments: [#"{"type":"nope"}"#, #"{"type":"participantJoined","seq":1}"#, "[1]", "x", #"{"type":"error","code":"WHAT"}"#])
    func refusesWhatIsNotAHubMessage(_ text: String) {
        let result = Array(text.utf8).withUnsafeBytes { ServerMessageParser.parseFrame($0) }
        #expect((try? result.get()) == nil)
    }
}

@Suite("Client messages: what the Swift client sends is what the hub reads")
struct ClientMessageEncoderTests {
    @Test func everyClientMessageRoundTripsThroughTheHubsParser() throws {
        let encoder = MessageEncoder()
        let messages: [ClientMessage] = [
            .join(token: "t", settings: CallSettings(sessionType: .voice, layout: .sidebar, startAudioMuted: true, startVideoPaused: true),
                  resume: ResumeRequest(pid: ParticipantID("p1"), resumeToken: "r", lastSeq: 4)),
            .join(token: "t", settings: CallSettings(), resume: nil),
            .changeState(.muteAudio), .changeState(.unmuteAudio), .changeState(.pauseVideo), .changeState(.resumeVideo),
            .changeState(.raiseHand), .changeState(.lowerHand), .leave, .sync, .ping(ts: .double(1.5)), .ping(ts: nil),
            .signal(to: ParticipantID("p2"), data: .object(["candidate": .string("c")])),
            .muteParticipant(ParticipantID("p3")), .removeParticipant(ParticipantID("p4")), .endSession,
        ]
        for (index, message) in messages.enumerated() {
            let envelope = ClientEnvelope(requestID: "r\(index)", message: message)
            let bytes = ClientMessageEncoder.encode(envelope, using: encoder).bytes
            let parsed = try bytes.withUnsafeBytes { JSONDecoding.clientMessage($0) }.get()
            // VOICE makes video paused in effect, but the request says what was asked.
            #expect(parsed == envelope)
        }
    }
}
