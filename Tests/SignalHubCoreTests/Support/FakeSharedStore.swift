@testable import SignalHubCore
import Testing

/// An in-memory stand-in for the Redis store, for tests of the core's multi-node logic:
/// it runs each command atomically when asked, numbering events with a `SessionRoster`,
/// and queues what it publishes (to every node) and what it replies (to the asking node)
/// so that a test can deliver them in any interleaving a network allows: the bus in order,
/// replies in order, but the two in any mix, as with Redis's two connections.
struct FakeSharedStore {
    private(set) var rosters: [SessionID: SessionRoster] = [:]
    private var lastSeq: [SessionID: UInt64] = [:]
    private var hosts: [SessionID: [ParticipantID: Int]] = [:]
    var bus: [[SharedRosterInput]]
    var replies: [[SharedRosterInput]]

    init(nodes: Int) {
        bus = Array(repeating: [], count: nodes)
        replies = Array(repeating: [], count: nodes)
    }

    var isIdle: Bool { bus.allSatisfy(\.isEmpty) && replies.allSatisfy(\.isEmpty) }

    mutating func run(_ actions: [HubAction], from node: Int) {
        for case .shared(let command) in actions { run(command, from: node) }
    }

    mutating func run(_ command: SharedRosterCommand, from node: Int) {
        switch command {
        case .join(let join):
            let sid = join.sessionID
            var roster = rosters[sid] ?? SessionRoster(sessionID: sid, seq: lastSeq[sid] ?? 0)
            let duplicate = roster.participant(uid: join.participant.uid)
            guard roster.count - (duplicate == nil ? 0 : 1) < join.maxParticipants else {
                return replies[node].append(.joinCompleted(join.connection, .failure(ProtocolError(.sessionFull, "full"))))
            }
            if let duplicate, let event = roster.remove(duplicate.pid, reason: .replaced) { publish(.event(event)) }
            publish(.event(roster.add(join.participant)))
            rosters[sid] = roster
            hosts[sid, default: [:]][join.participant.pid] = node
            let outcome = SharedJoinOutcome(
                sessionID: sid, participant: join.participant, snapshot: SharedSnapshot(seq: roster.seq, participants: roster.participants),
                settings: join.settings, resumeToken: join.resumeToken)
            replies[node].append(.joinCompleted(join.connection, .success(outcome)))
        case .update(let sid, let pid, let change, let by, let reply):
            guard rosters[sid]?.participant(pid) != nil else { return answer(reply, .failure(ProtocolError(.participantNotFound, "gone")), node) }
            if let event = rosters[sid]?.apply(change, to: pid, by: by) { publish(.event(event)) }
            answer(reply, .success(()), node)
        case .remove(let sid, let pid, let reason, let onlyIfHostedHere, let reply):
            guard !onlyIfHostedHere || hosts[sid]?[pid] == node, let event = rosters[sid]?.remove(pid, reason: reason) else {
                return answer(reply, .failure(ProtocolError(.participantNotFound, "gone")), node)
            }
            publish(.event(event))
            if rosters[sid]?.isEmpty == true { retire(sid) }
            answer(reply, .success(()), node)
        case .end(let sid, let reason, let reply):
            if let roster = rosters[sid] {
                publish(.sessionEnded(sid, reason, seq: roster.seq + 1))
                lastSeq[sid] = roster.seq + 1
                rosters[sid] = nil
            }
            answer(reply, .success(()), node)
        case .signal(let sid, let from, let to, let data):
            publish(.signal(sid, from: from, to: to, data: data))
        case .snapshot(let sid):
            replies[node].append(.snapshot(sid, rosters[sid].map { SharedSnapshot(seq: $0.seq, participants: $0.participants) }))
        case .reconcile:
            var snapshots: [SessionID: SharedSnapshot] = [:]
            for (sid, roster) in rosters { snapshots[sid] = SharedSnapshot(seq: roster.seq, participants: roster.participants) }
            replies[node].append(.recovered(snapshots))
        case .resume:
            Issue.record("resume is not modelled by the fake store")
        }
    }

    private mutating func retire(_ sid: SessionID) {
        lastSeq[sid] = rosters[sid]?.seq
        rosters[sid] = nil
    }

    private mutating func answer(_ target: SharedReplyTarget?, _ result: Result<Void, ProtocolError>, _ node: Int) {
        if let target { replies[node].append(.replied(target, result)) }
    }

    private mutating func publish(_ input: SharedRosterInput) {
        for node in bus.indices { bus[node].append(input) }
    }
}
