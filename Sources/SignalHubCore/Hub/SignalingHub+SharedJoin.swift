/// Multi-node mode: the store's answer to a join or resume.
extension SignalingHub {
    mutating func completeSharedJoin(
        _ connection: ConnectionID, _ result: Result<SharedJoinOutcome, ProtocolError>, into actions: inout [HubAction]
    ) {
        guard let sessionID = committingJoins.removeValue(forKey: connection) else { return }
        if let count = pendingCommits[sessionID] { pendingCommits[sessionID] = count > 1 ? count - 1 : nil }
        defer {
            if pendingCommits[sessionID] == nil { joinBuffers[sessionID] = nil }
        }
        guard case .committing(let failedJoins, let deadline, let pending, _)? = connections[connection] else {
            // The socket went (or timed out) while the store added it: take it out again.
            if case .success(let outcome) = result, sharedStoreAvailable {
                actions.append(.shared(.remove(
                    sessionID: sessionID, pid: outcome.participant.pid, reason: .disconnected, onlyIfHostedHere: true, reply: nil)))
            }
            dropReplicaIfUnused(sessionID)
            return
        }
        switch result {
        case .failure(var error):
            error.requestID = pending.requestID
            failJoin(connection, failedJoins: failedJoins, deadline: deadline, error: error, into: &actions)
            dropReplicaIfUnused(sessionID)
        case .success(let outcome):
            admitShared(outcome, pending: pending, connection: connection, into: &actions)
        }
    }

    private mutating func admitShared(
        _ outcome: SharedJoinOutcome, pending: PendingJoin, connection: ConnectionID, into actions: inout [HubAction]
    ) {
        let sessionID = outcome.sessionID
        let pid = outcome.participant.pid
        let snapshot = outcome.snapshot
        var held: [SharedBufferedItem] = []
        if sessions[sessionID] == nil {
            sessions[sessionID] = Session(roster: SessionRoster(sessionID: sessionID, seq: snapshot.seq, participants: snapshot.participants))
            held = joinBuffers.removeValue(forKey: sessionID) ?? []
            if pendingCommits[sessionID] != nil { joinBuffers[sessionID] = nil }
        }
        // A resume on this same node: the old socket, if the hub still has one, gives way.
        if let old = sessions[sessionID]?.members.removeValue(forKey: pid) {
            if old.activateAt != nil { sessions[sessionID]?.pendingActivations -= 1 }
            if let oldConnection = old.connection {
                sessions[sessionID]?.recipients.removeAll { $0 == oldConnection }
                connections[oldConnection] = .closing
                actions.append(.close(oldConnection, .replaced, reason: "resumed on another socket"))
            }
        }
        sessions[sessionID]?.members[pid] = LocalMember(
            connection: connection, graceDeadline: nil, resumeToken: outcome.resumeToken, settings: outcome.settings,
            activateAt: snapshot.seq, joinedAs: outcome.participant)
        sessions[sessionID]?.pendingActivations += 1
        connections[connection] = .joined(sessionID, pid)

        let resumed = pending.resume != nil
        if let resume = pending.resume {
            // What the resuming member missed, as on one node: the events, or a `roster`.
            let missed = outcome.missed ?? []
            if resume.lastSeq < snapshot.seq, missed.first?.seq == resume.lastSeq + 1, missed.last?.seq == snapshot.seq {
                for event in missed { actions.append(.send(.event(event), to: [connection])) }
            } else if resume.lastSeq != snapshot.seq {
                actions.append(.send(.roster(sessionID: sessionID, seq: snapshot.seq, participants: snapshot.participants, requestID: nil), to: [connection]))
            }
        }
        let reply = JoinedReply(
            sessionID: sessionID, selfParticipant: outcome.participant, participants: snapshot.participants, seq: snapshot.seq,
            resumeToken: outcome.resumeToken, settings: outcome.settings, heartbeat: configuration.heartbeat, resumed: resumed,
            requestID: pending.requestID)
        actions.append(.send(.joined(reply), to: [connection]))
        activatePending(sessionID, into: &actions)
        for item in held.sorted(by: { $0.seq < $1.seq }) where item.seq > snapshot.seq && sessions[sessionID] != nil {
            feed(item, of: sessionID, into: &actions)
        }
    }
}
