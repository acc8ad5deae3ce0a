import SignalHubClient
import SignalHubCore
import Testing

@Suite("Swift client against a live hub", .serialized)
struct HubClientTests {
    @Test func membersSeeTheSameRosterAsTheHub() async throws {
        let hub = try await LiveHub.start()
        let alice = try await hub.join("alice", session: "client-room", settings: CallSettings(startAudioMuted: true))
        let bob = try await hub.join("bob", session: "client-room")
        let carol = try await hub.join("carol", session: "client-room", settings: CallSettings(sessionType: .voice))
        let other = try await hub.join("dave", session: "elsewhere")

        try await bob.muteAudio()
        try await carol.raiseHand()
        try await alice.unmuteAudio()

        let expected = [alice, bob, carol].map(\.selfParticipant.pid)
        for member in [alice, bob, carol] {
            let settled = try await member.settle { roster in
                roster.map(\.pid) == expected && roster[0].isAudioMuted == false && roster[1].isAudioMuted && roster[2].isHandRaised
            }
            #expect(settled, "\(member.selfParticipant.uid) saw \(member.roster)")
            #expect(member.gapCount == 0)
            #expect(member.seq == 6)  // 3 joins, 3 changes
        }
        #expect(carol.roster[2].isVideoPaused, "VOICE participants are always video-paused")
        let snapshot = try await bob.sync()
        #expect(snapshot == bob.roster)
        #expect(other.roster.map(\.uid) == ["dave"])
        #expect(other.seq == 1)
        await hub.stop()
    }

    @Test func eventsArriveInOrderOnTheStream() async throws {
        let hub = try await LiveHub.start()
        let alice = try await hub.join("alice", session: "stream-room")
        let bob = try await hub.join("bob", session: "stream-room")
        try await bob.raiseHand()
        try await bob.leave()
        var seen: [String] = []
        for await event in alice.events {
            switch event {
            case .participantJoined(let p): seen.append("joined \(p.uid)")
            case .participantUpdated(let p, let changed, _): seen.append("updated \(p.uid) \(changed.map(\.rawValue))")
            case .participantLeft(let p, let reason): seen.append("left \(p.uid) \(reason.rawValue)")
            default: break
            }
            if seen.count == 3 { break }
        }
        #expect(seen == ["joined bob", "updated bob [\"isHandRaised\"]", "left bob left"])
        await hub.stop()
    }

    @Test func refusalsCarryTheProtocolsCodes() async throws {
        let hub = try await LiveHub.start()
        let client = HubClient(engine: hub.engine, endpoint: hub.endpoint)
        await #expect(throws: ClientError.self) { _ = try await client.generateToken(sessionId: "room") }
        do { _ = try await client.generateToken(sessionId: "room") } catch { #expect(error.code == .authTokenMissing) }
        try await client.login(uid: "alice")
        do { _ = try await client.generateToken(sessionId: "") } catch { #expect(error.code == .sessionIDMissing) }
        do { _ = try await client.generateToken(sessionId: "bad id!") } catch { #expect(error.code == .validationError) }
        do { _ = try await client.joinSession(token: "not-a-token") } catch { #expect(error.code == .authTokenInvalid) }

        let member = try await hub.join("bob", session: "codes")
        do { try await member.muteParticipant(member.selfParticipant.pid) } catch { #expect(error.code == .forbidden) }
        do { try await member.signal(to: ParticipantID("nobody"), data: .null) } catch { #expect(error.code == .participantNotFound) }
        await hub.stop()
    }

    @Test func moderatorsCanEndTheSession() async throws {
        let hub = try await LiveHub.start()
        let moderator = try await hub.join("mod", session: "end-room", role: .moderator)
        let guest = try await hub.join("guest", session: "end-room")
        try await moderator.endSession()
        var ended: SessionEndReason?
        var closeCode: UInt16?
        for await event in guest.events {
            if case .sessionEnded(let reason) = event { ended = reason }
            if case .closed(let code) = event { closeCode = code; break }
        }
        #expect(ended == .endedByModerator)
        #expect(closeCode == 4003)
        await hub.stop()
    }

    @Test func endpointsParseFromURLs() {
        #expect(HubEndpoint(url: "http://127.0.0.1:8080") == HubEndpoint(host: "127.0.0.1", port: 8080))
        #expect(HubEndpoint(url: "wss://hub.example/v1/signal") == HubEndpoint(host: "hub.example", port: 443, tls: true))
        #expect(HubEndpoint(url: "ws://[::1]:9000") == HubEndpoint(host: "::1", port: 9000))
        #expect(HubEndpoint(url: "ftp://x") == nil)
        #expect(HubEndpoint(url: "http://host:99999") == nil)
    }
}
