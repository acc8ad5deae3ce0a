import SignalHubCore
import Testing

@testable import SignalHubWire

/// Roster snapshots are written from cached participant fields; the bytes must be exactly
/// what jansson makes of the whole message.
@Suite("Snapshots from cached participant fields")
struct SnapshotEncodingTests {
    let session = SessionID(validating: "s")!

    func person(_ n: Int, name: String = "n", avatar: String? = nil, muted: Bool = false) -> Participant {
        Participant(pid: ParticipantID("p\(n)"), uid: "u\(n)", name: name, avatar: avatar, role: .participant, sessionType: .video,
                    isAudioMuted: muted, isVideoPaused: false, isHandRaised: false, joinedAt: 1_700_000_000_000 + Int64(n))
    }

    /// What jansson writes for the whole message, with no cache.
    func plain(_ message: ServerMessage) -> String {
        MessageEncoder().frame(from: ServerMessageJSON.node(for: message)).text
    }

    func joined(_ list: [Participant], requestID: String? = "r1", settings: CallSettings = CallSettings(), resumed: Bool = false) -> ServerMessage {
        .joined(JoinedReply(
            sessionID: session, selfParticipant: list.last ?? person(0), participants: list, seq: 7, resumeToken: "t\"ok\"",
            settings: settings, heartbeat: Heartbeat(intervalMs: 20_000, timeoutMs: 30_000), resumed: resumed, requestID: requestID))
    }

    @Test func snapshotsMatchJanssonByteForByte() {
        let tricky = [
            person(1, name: #""participants":[]"#),  // the marker itself, inside a string
            person(2, name: #"back\slash and "quotes""#, avatar: "https://a.example/x.png"),
            person(3, name: "ünïcödé ✓ 日本"),
            person(4, name: #"ends with \"#),
        ]
        let encoder = MessageEncoder()
        let messages: [ServerMessage] = [
            joined([]), joined(Array(tricky.prefix(1))), joined(tricky), joined(tricky, requestID: nil),
            joined(tricky, settings: CallSettings(sessionType: .voice, layout: .spotlight, startAudioMuted: true, startVideoPaused: true), resumed: true),
            joined(tricky, settings: CallSettings(layout: .sidebar, startVideoPaused: true)),
            .roster(sessionID: session, seq: 9, participants: tricky, requestID: "q"),
            .roster(sessionID: session, seq: 9, participants: [], requestID: nil),
        ]
        for message in messages + messages {  // the second pass comes from the cache
            #expect(encoder.encode(message).text == plain(message))
        }
        #expect(encoder.fragments.count == tricky.count + 1)  // and person(0), the self of `joined([])`
    }

    @Test func aChangedParticipantIsEncodedAgainAndOneWhoLeftIsForgotten() {
        let encoder = MessageEncoder()
        _ = encoder.encode(joined([person(1), person(2)]))
        let changed = joined([person(1, muted: true), person(2)])
        #expect(encoder.encode(changed).text == plain(changed))
        _ = encoder.encode(.participantLeft(RosterEvent(sessionID: session, seq: 8, participant: person(2), kind: .left(.left))))
        #expect(encoder.fragments.count == 1)
    }

    @Test func theCacheStaysWithinItsLimit() {
        let fragments = ParticipantFragments(limit: 3)
        for n in 0..<10 { _ = fragments.head(for: person(n)) { _ in [UInt8(n)] } }
        #expect(fragments.count <= 3)
        var encoded = 0
        _ = fragments.head(for: person(9)) { _ in encoded += 1; return [] }
        #expect(encoded == 0)  // the newest entry is still there
        _ = fragments.head(for: person(9, muted: true)) { _ in encoded += 1; return [] }
        #expect(encoded == 0)  // a flag is not part of the cached head
        _ = fragments.head(for: person(9, name: "renamed")) { _ in encoded += 1; return [] }
        #expect(encoded == 1)
    }
}
