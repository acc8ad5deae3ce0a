import SignalHubCore
import SignalHubWire
import Testing

@Suite("Encoding hub messages")
struct EncodingTests {
    let encoder = MessageEncoder(headroom: 16)
    let session = SessionID(validating: "room-1")!

    func participant(_ n: Int, avatar: String? = nil) -> Participant {
        Participant(
            pid: ParticipantID("p\(n)"), uid: "u\(n)", name: "User \(n)", avatar: avatar, role: .participant,
            sessionType: .video, isAudioMuted: n % 2 == 0, isVideoPaused: false, isHandRaised: false, joinedAt: 1_700_000_000_000 + Int64(n))
    }

    /// Decodes a frame back with the same parser clients' bytes go through.
    func decoded(_ message: ServerMessage) throws -> JSONValue {
        try JSONDecoding.parse(encoder.encode(message).bytes).get()
    }

    @Test func typeComesFirstAndTheOutputIsCompact() {
        let text = encoder.encode(.ack(requestID: "r1")).text
        #expect(text == #"{"type":"ack","requestId":"r1"}"#)
    }

    @Test func absentOptionalFieldsAreLeftOut() throws {
        let ack = try decoded(.ack(requestID: nil))
        #expect(ack == .object(["type": .string("ack")]))
        let event = RosterEvent(sessionID: session, seq: 3, participant: participant(1), kind: .joined)
        let joined = try decoded(.participantJoined(event))
        #expect(joined["participant"]?["avatar"] == nil)
    }

    @Test func participantCarriesEveryField() throws {
        let event = RosterEvent(sessionID: session, seq: 9, participant: participant(2, avatar: "https://a/b.png"), kind: .joined)
        let value = try decoded(.participantJoined(event))
        #expect(value["type"] == .string("participantJoined"))
        #expect(value["sessionId"] == .string("room-1"))
        #expect(value["seq"] == .integer(9))
        let p = try #require(value["participant"])
        #expect(p == .object([
            "pid": .string("p2"), "uid": .string("u2"), "name": .string("User 2"), "avatar": .string("https://a/b.png"),
            "role": .string("participant"), "sessionType": .string("VIDEO"), "isAudioMuted": .bool(true),
            "isVideoPaused": .bool(false), "isHandRaised": .bool(false), "joinedAt": .integer(1_700_000_000_002),
        ]))
    }

    @Test func updatedNamesChangedFieldsAndTheModerator() throws {
        let event = RosterEvent(sessionID: session, seq: 4, participant: participant(1), kind: .updated(changed: [.isAudioMuted], by: ParticipantID("pm")))
        let value = try decoded(.participantUpdated(event))
        #expect(value["type"] == .string("participantUpdated"))
        #expect(value["changed"] == .array([.string("isAudioMuted")]))
        #expect(value["by"] == .string("pm"))
    }

    @Test func leftCarriesItsReason() throws {
        let event = RosterEvent(sessionID: session, seq: 5, participant: participant(1), kind: .left(.replaced))
        let value = try decoded(.participantLeft(event))
        #expect(value["type"] == .string("participantLeft"))
        #expect(value["reason"] == .string("replaced"))
    }

    @Test func errorPongSignalAndSessionEnded() throws {
        let error = try decoded(.error(ProtocolError(.sessionFull, "full", requestID: "q")))
        #expect(error == .object(["type": .string("error"), "code": .string("ERROR_SESSION_FULL"), "message": .string("full"), "requestId": .string("q")]))
        let pong = try decoded(.pong(ts: .double(1.25), serverTime: 42, requestID: nil))
        #expect(pong == .object(["type": .string("pong"), "ts": .double(1.25), "serverTime": .integer(42)]))
        let data: JSONValue = .object(["sdp": .string("v=0"), "n": .array([.integer(1), .null])])
        let signal = try decoded(.signal(from: ParticipantID("p1"), data: data))
        #expect(signal["data"] == data)
        let ended = try decoded(.sessionEnded(sessionID: session, reason: .endedByAdmin))
        #expect(ended["reason"] == .string("endedByAdmin"))
    }

    @Test func joinedCarriesSnapshotSettingsAndHeartbeat() throws {
        let me = participant(3)
        let reply = JoinedReply(
            sessionID: session, selfParticipant: me, participants: [participant(1), me], seq: 7, resumeToken: "tok",
            settings: CallSettings(sessionType: .voice, layout: .sidebar, startAudioMuted: true, startVideoPaused: true),
            heartbeat: Heartbeat(intervalMs: 20_000, timeoutMs: 30_000), resumed: false, requestID: "j")
        let value = try decoded(.joined(reply))
        #expect(value["seq"] == .integer(7))
        #expect(value["self"]?["pid"] == .string("p3"))
        guard case .array(let list)? = value["participants"] else { Issue.record("no participants"); return }
        #expect(list.map { $0["pid"] } == [.string("p1"), .string("p3")])
        #expect(value["settings"] == .object(["sessionType": .string("VOICE"), "layout": .string("SIDEBAR"), "startAudioMuted": .bool(true), "startVideoPaused": .bool(true)]))
        #expect(value["heartbeat"] == .object(["intervalMs": .integer(20_000), "timeoutMs": .integer(30_000)]))
        #expect(value["resumed"] == .bool(false))
        #expect(value["requestId"] == .string("j"))
    }

    @Test func aRosterLargerThanTheScratchBufferIsEncodedWhole() throws {
        let many = (0..<1_000).map { participant($0) }
        let frame = encoder.encode(.roster(sessionID: session, seq: 1_000, participants: many, requestID: nil))
        #expect(frame.count > 16 * 1024)
        #expect(frame.headroom == 16)
        let value = try JSONDecoding.parse(frame.bytes).get()
        guard case .array(let list)? = value["participants"] else { Issue.record("no participants"); return }
        #expect(list.count == 1_000)
        #expect(list.last?["uid"] == .string("u999"))
    }

    @Test func stringsNeedingEscapesSurviveTheRoundTrip() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t émoji 🎉 <script>"
        let value = try decoded(.error(ProtocolError(.validationError, tricky)))
        #expect(value["message"] == .string(tricky))
    }

    @Test func httpBodies() throws {
        let body = encoder.encode(HTTPResponseBody.error(ProtocolError(.sessionNotFound, "nope")))
        #expect(body.text == #"{"error":{"code":"ERROR_SESSION_NOT_FOUND","message":"nope"}}"#)
        let list = try JSONDecoding.parse(encoder.encode(HTTPResponseBody.sessions([])).bytes).get()
        #expect(list == .object(["sessions": .array([])]))
    }
}
