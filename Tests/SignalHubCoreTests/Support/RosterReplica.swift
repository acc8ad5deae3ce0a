@testable import SignalHubCore
import Testing

/// The roster one client holds: its `joined` snapshot (or a later `roster`), then every
/// roster event it received. Rebuilding records a test issue for an event before the
/// snapshot, an event of another session, a `seq` gap, an unknown pid or a uid held twice.
struct RosterReplica: Equatable {
    var sessionID: SessionID
    var seq: UInt64
    var participants: [Participant]

    static func rebuild(from messages: [ServerMessage], sourceLocation: SourceLocation = #_sourceLocation) -> RosterReplica? {
        var replica: RosterReplica?
        for message in messages {
            switch message {
            case .joined(let reply):
                #expect(replica == nil, "a second joined on one connection", sourceLocation: sourceLocation)
                replica = RosterReplica(sessionID: reply.sessionID, seq: reply.seq, participants: reply.participants)
            case .roster(let sessionID, let seq, let participants, _):
                #expect(replica?.sessionID == sessionID, "roster of another session", sourceLocation: sourceLocation)
                replica = RosterReplica(sessionID: sessionID, seq: seq, participants: participants)
            default:
                guard let event = message.rosterEvent else { continue }
                guard replica != nil else {
                    Issue.record("roster event seq \(event.seq) before any snapshot", sourceLocation: sourceLocation)
                    continue
                }
                replica!.apply(event, sourceLocation: sourceLocation)
            }
        }
        return replica
    }

    mutating func apply(_ event: RosterEvent, sourceLocation: SourceLocation) {
        #expect(event.sessionID == sessionID, "event of session \(event.sessionID) in \(sessionID)", sourceLocation: sourceLocation)
        #expect(event.seq == seq + 1, "seq gap: had \(seq), got \(event.seq)", sourceLocation: sourceLocation)
        seq = event.seq
        let index = participants.firstIndex { $0.pid == event.participant.pid }
        switch event.kind {
        case .joined:
            #expect(index == nil, "joined twice: \(event.participant.pid)", sourceLocation: sourceLocation)
            participants.append(event.participant)
        case .updated:
            guard let index else {
                Issue.record("update of unknown \(event.participant.pid)", sourceLocation: sourceLocation)
                return
            }
            participants[index] = event.participant
        case .left:
            guard let index else {
                Issue.record("leave of unknown \(event.participant.pid)", sourceLocation: sourceLocation)
                return
            }
            participants.remove(at: index)
        }
        let uids = participants.map(\.uid)
        #expect(Set(uids).count == uids.count, "a uid held twice: \(uids)", sourceLocation: sourceLocation)
    }
}

extension HubHarness {
    /// Checks that each connection's rebuilt roster is exactly the hub's roster of `session`.
    func expectConverged(
        _ connections: [ConnectionID], in session: SessionID = .main, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let roster = hub.roster(of: session)
        #expect(roster != nil, "no session \(session)", sourceLocation: sourceLocation)
        for connection in connections {
            let replica = RosterReplica.rebuild(from: messages(to: connection), sourceLocation: sourceLocation)
            #expect(replica?.sessionID == session, "\(connection) holds no roster of \(session)", sourceLocation: sourceLocation)
            #expect(replica?.seq == roster?.seq, "\(connection) seq", sourceLocation: sourceLocation)
            #expect(replica?.participants == roster?.participants, "\(connection) participants", sourceLocation: sourceLocation)
        }
    }
}
