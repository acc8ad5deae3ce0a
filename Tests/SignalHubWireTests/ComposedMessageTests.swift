import SignalHubCore
import Testing

@testable import SignalHubWire

/// Roster events and acks are written piece by piece (`FrameWriter`); the bytes must be
/// exactly what jansson makes of the whole tree, for any strings the users chose.
@Suite("Composed messages match jansson byte for byte")
struct ComposedMessageTests {
    static let awkward = [
        "", "plain", #"quote " and backslash \ and slash /"#, "tab\tnewline\ncr\rbell\u{07}nul\u{0}",
        "ünïcödé ✓ 日本 🎉", "\u{2028}\u{2029}", #"{"type":"ack"}"#, String(repeating: "x", count: 5_000),
    ]

    /// What jansson writes for the whole message, with no cache.
    func plain(_ message: ServerMessage) -> String {
        MessageEncoder().frame(from: ServerMessageJSON.node(for: message)).text
    }

    func person(_ n: Int, _ text: String, avatar: String?, type: CallSettings.SessionType, flags: Int, joinedAt: Int64) -> Participant {
        Participant(
            pid: ParticipantID("p\(n)\(text.prefix(8))"), uid: "u" + text, name: text, avatar: avatar, role: n % 2 == 0 ? .participant : .moderator,
            sessionType: type, isAudioMuted: flags & 1 != 0, isVideoPaused: flags & 2 != 0, isHandRaised: flags & 4 != 0, joinedAt: joinedAt)
    }

    func events() -> [RosterEvent] {
        let session = SessionID(validating: "room-1")!
        let stamps: [Int64] = [0, 1, 9, 10, 1_764_000_000_123, -1, -42, .max, .min]
        let kinds: [RosterEvent.Kind] = [
            .joined, .updated(changed: [.isAudioMuted], by: nil), .updated(changed: [.isVideoPaused, .isHandRaised], by: ParticipantID("mod \"1\"")),
            .updated(changed: [], by: nil), .left(.left), .left(.disconnected), .left(.replaced), .left(.removed), .left(.sessionEnded),
        ]
        var list: [RosterEvent] = []
        for (n, text) in Self.awkward.enumerated() {
            for flags in 0..<8 {
                let p = person(n, text, avatar: flags % 3 == 0 ? nil : "https://a.example/" + text, type: flags % 2 == 0 ? .video : .voice,
                               flags: flags, joinedAt: stamps[(n + flags) % stamps.count])
                let seq = UInt64(flags) * 1_000_003 + UInt64(n)
                list.append(RosterEvent(sessionID: session, seq: seq, participant: p, kind: kinds[(n + flags) % kinds.count]))
            }
        }
        return list
    }

    @Test func rosterEventsMatchTheTreeEncoding() {
        let encoder = MessageEncoder()
        var checked = 0
        for _ in 0..<2 {  // the second pass takes every head from the cache (but a left participant's)
            for event in events() {
                let message = ServerMessage.event(event)
                #expect(encoder.encode(message).text == plain(message))
                checked += 1
            }
        }
        #expect(checked == 2 * Self.awkward.count * 8)
    }

    @Test func aFlagChangeReusesTheHeadAndStillWritesTheNewState() {
        let encoder = MessageEncoder()
        let session = SessionID(validating: "s")!
        let joined = person(1, "n", avatar: nil, type: .video, flags: 0, joinedAt: 5)
        _ = encoder.encode(.participantJoined(RosterEvent(sessionID: session, seq: 1, participant: joined, kind: .joined)))
        let p = person(1, "n", avatar: nil, type: .video, flags: 1, joinedAt: 5)
        let update = ServerMessage.participantUpdated(RosterEvent(sessionID: session, seq: 2, participant: p, kind: .updated(changed: [.isAudioMuted], by: nil)))
        let text = encoder.encode(update).text
        #expect(text == plain(update))
        #expect(text.contains(#""isAudioMuted":true"#))
        #expect(encoder.fragments.count == 1)
        _ = encoder.encode(.participantLeft(RosterEvent(sessionID: session, seq: 3, participant: p, kind: .left(.left))))
        #expect(encoder.fragments.count == 0)
    }

    @Test func acksMatchTheTreeEncoding() {
        let encoder = MessageEncoder()
        for requestID in [nil] + Self.awkward.map(Optional.some) {
            let message = ServerMessage.ack(requestID: requestID)
            #expect(encoder.encode(message).text == plain(message))
        }
    }

    @Test func theWriterPrintsIntegersAsJanssonDoes() {
        let writer = FrameWriter(capacity: 1)  // grows as it goes
        let values: [Int64] = [0, 7, 10, 99, 100, -1, -10, 1_000_000_007, .max, .min, .max - 1, .min + 1]
        for value in values {
            writer.reset()
            writer.write(integer: value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
        }
    }
}
