@testable import SignalHubCore
import Testing

@Suite("the roster guarantee: seq without gaps, sessions isolated")
struct SequenceTests {
    /// Checks that the roster events in `actions` for each session carry consecutive seqs,
    /// starting after `start`, and end at the hub's current seq.
    static func expectConsecutive(_ actions: [HubAction], after start: [SessionID: UInt64], hub: SignalingHub,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        var last = start
        for event in actions.rosterEvents {
            let previous = last[event.sessionID] ?? 0
            #expect(event.seq == previous + 1, "\(event.sessionID): \(previous) then \(event.seq)", sourceLocation: sourceLocation)
            last[event.sessionID] = event.seq
        }
        for (session, seq) in last {
            #expect(hub.roster(of: session)?.seq == seq, "\(session)", sourceLocation: sourceLocation)
        }
    }

    @Test func aScriptedSequenceNumbersEveryEventOnce() throws {
        var h = HubHarness { $0.gracePeriodMs = 5_000 }
        let mod = try h.join("mod", role: .moderator)                                  // 1
        let alice = try h.join("alice")                                                // 2
        let bob = try h.join("bob", settings: CallSettings(startAudioMuted: true))     // 3
        _ = h.send(.changeState(.muteAudio), from: alice.connection)                   // 4
        _ = h.send(.changeState(.muteAudio), from: alice.connection)                   // -
        _ = h.send(.changeState(.unmuteAudio), from: bob.connection)                   // 5
        _ = h.send(.changeState(.raiseHand), from: bob.connection)                     // 6
        _ = h.send(.changeState(.lowerHand), from: mod.connection)                     // -
        let carol = try h.join("carol", settings: CallSettings(sessionType: .voice))   // 7
        _ = h.send(.changeState(.resumeVideo), from: carol.connection)                 // -
        _ = h.send(.muteParticipant(bob.pid), from: mod.connection)                    // 8
        _ = h.send(.muteParticipant(bob.pid), from: mod.connection)                    // -
        _ = h.send(.leave, from: alice.connection)                                     // 9
        _ = h.close(carol.connection)
        _ = h.advance(by: 4_999)                                                       // -
        _ = h.advance(by: 1)                                                           // 10
        let bob2 = try h.join("bob")                                                   // 11, 12
        let dave = try h.join("dave")                                                  // 13
        _ = h.send(.removeParticipant(dave.pid), from: mod.connection)                 // 14
        _ = h.send(.changeState(.pauseVideo), from: bob2.connection)                   // 15
        _ = h.send(.sync, from: bob2.connection)                                       // -
        _ = try h.admin { try $0.adminMute(bob2.pid, in: .main) }                      // 16

        let seen = h.messages(to: mod.connection).compactMap(\.rosterEvent).map(\.seq)
        #expect(seen == Array(2...16))
        #expect(h.seq() == 16)
        Self.expectConsecutive(h.log, after: [.main: 1], hub: h.hub)
        #expect(h.hub.roster(of: .main)?.participants.map(\.uid) == ["mod", "bob"])
        h.expectConverged([mod.connection, bob2.connection])
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func aLongRandomScriptKeepsEveryMemberInStepWithTheHub(seed: UInt64) throws {
        var h = HubHarness(seed: seed) { $0.gracePeriodMs = 3_000; $0.maxParticipantsPerSession = 6 }
        var rng = SplitMix64(seed: seed &* 7919)
        let sessions: [SessionID] = [.main, .other]
        // An anchor per session that never leaves keeps each session (and its seq) alive.
        var live: [ConnectionID: (session: SessionID, pid: ParticipantID)] = [:]
        var anchors: [SessionID: Member] = [:]
        for session in sessions {
            let anchor = try h.join("anchor-\(session)", role: .moderator, session: session)
            anchors[session] = anchor
            live[anchor.connection] = (session, anchor.pid)
        }
        let start = h.log.count

        func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[Int(rng.next(upperBound: UInt64(items.count)))] }

        for _ in 0..<300 {
            let session = pick(sessions)!
            let members = live.filter { $0.value.session == session }.keys.sorted { $0.rawValue < $1.rawValue }
            let others = members.filter { $0 != anchors[session]!.connection }
            var actions: [HubAction] = []
            switch rng.next(upperBound: UInt64(10)) {
            case 0, 1:
                let uid = "u\(rng.next(upperBound: UInt64(8)))"
                let settings = CallSettings(sessionType: pick(CallSettings.SessionType.allCases)!, startAudioMuted: rng.next() % 2 == 0)
                let c = h.open()
                _ = h.send(.join(token: uid, settings: settings, resume: nil), from: c)
                actions = h.verify(c, .success(HubHarness.identity(uid, session: session)))
                if let reply = actions.messages(to: c).compactMap(\.joinedReply).first { live[c] = (session, reply.selfParticipant.pid) }
            case 2, 3, 4:
                guard let c = pick(members) else { continue }
                actions = h.send(.changeState(pick([.muteAudio, .unmuteAudio, .pauseVideo, .resumeVideo, .raiseHand, .lowerHand])!), from: c)
            case 5:
                guard let c = pick(others) else { continue }
                actions = h.send(.leave, from: c)
            case 6:
                guard let c = pick(others) else { continue }
                actions = h.close(c)
                live[c] = nil
            case 7:
                actions = h.advance(by: Int64(rng.next(upperBound: UInt64(4_000))))
            case 8:
                let roster = h.hub.roster(of: session)?.participants.filter { $0.pid != anchors[session]!.pid } ?? []
                guard let target = pick(roster) else { continue }
                let message: ClientMessage = rng.next() % 3 == 0 ? .removeParticipant(target.pid) : .muteParticipant(target.pid)
                actions = h.send(message, from: anchors[session]!.connection)
            default:
                guard let c = pick(members) else { continue }
                actions = h.send(.sync, from: c)
            }
            for case .close(let c, _, _) in actions { live[c] = nil }
        }
        _ = h.advance(by: 10_000)

        Self.expectConsecutive(Array(h.log[start...]), after: [.main: 1, .other: 1], hub: h.hub)
        for session in sessions {
            let members = h.liveMembers(of: session).map(\.connection)
            #expect(Set(members) == Set(live.filter { $0.value.session == session }.keys))
            #expect(h.hub.roster(of: session)?.count == members.count)  // nobody left in grace
            h.expectConverged(members, in: session)
            // Nobody in this session ever heard of the other one.
            for c in members {
                let foreign = h.messages(to: c).filter { ($0.rosterEvent?.sessionID ?? $0.joinedReply?.sessionID ?? session) != session }
                #expect(foreign.isEmpty)
            }
        }
        #expect((h.seq(of: .main) ?? 0) > 20)
    }
}
