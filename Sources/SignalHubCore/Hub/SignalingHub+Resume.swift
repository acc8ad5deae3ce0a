/// Taking a dropped participant back (PROTOCOL.md "Identity, reconnects and liveness").
extension SignalingHub {
    /// A verified `join` with `resume`: if the participant is still in the roster and the
    /// resume token is its own, the new socket takes its place with the same pid and nobody
    /// hears of a leave or a join. The socket first gets the events it missed (or a
    /// `roster`, when they are no longer kept), then `joined` with `resumed: true`.
    mutating func resume(
        _ request: ResumeRequest, identity: CallIdentity, pending: PendingJoin, connection: ConnectionID,
        failedJoins: Int, deadline: Int64, into actions: inout [HubAction]
    ) {
        let sessionID = identity.sessionID
        guard let session = sessions[sessionID], let member = session.members[request.pid],
            let participant = session.roster.participant(request.pid)
        else {
            let error = ProtocolError(
                .participantNotFound, "\(request.pid) is no longer in session \(sessionID): join again without resume",
                requestID: pending.requestID)
            return failJoin(connection, failedJoins: failedJoins, deadline: deadline, error: error, into: &actions)
        }
        // Both the call token's uid and the secret resume token must match: a valid call
        // token for the same session is not enough to take over someone else's pid.
        guard participant.uid == identity.uid, Self.constantTimeEquals(member.resumeToken, request.resumeToken) else {
            let error = ProtocolError(.authTokenInvalid, "the resume token does not match", requestID: pending.requestID)
            return failJoin(connection, failedJoins: failedJoins, deadline: deadline, error: error, into: &actions)
        }

        // A socket the hub still thinks alive (half-open) gives way without any event.
        if let old = member.connection {
            connections[old] = .closing
            actions.append(.close(old, .replaced, reason: "resumed on another socket"))
        }
        let resumeToken = ids.resumeToken()
        sessions[sessionID]?.members[request.pid]?.connection = connection
        sessions[sessionID]?.members[request.pid]?.graceDeadline = nil
        sessions[sessionID]?.members[request.pid]?.resumeToken = resumeToken
        connections[connection] = .joined(sessionID, request.pid)
        rebuildRecipients(of: sessionID)

        let roster = session.roster
        let lastSeq = request.lastSeq
        if lastSeq < roster.seq {
            let missed = session.history.filter { $0.seq > lastSeq }
            if missed.first?.seq == lastSeq + 1 {
                for event in missed { actions.append(.send(.event(event), to: [connection])) }
            } else {
                actions.append(.send(.roster(sessionID: sessionID, seq: roster.seq, participants: roster.participants, requestID: nil), to: [connection]))
            }
        } else if lastSeq > roster.seq {
            // The client claims events that never happened: give it the truth.
            actions.append(.send(.roster(sessionID: sessionID, seq: roster.seq, participants: roster.participants, requestID: nil), to: [connection]))
        }
        let reply = JoinedReply(
            sessionID: sessionID, selfParticipant: participant, participants: roster.participants, seq: roster.seq,
            resumeToken: resumeToken, settings: member.settings, heartbeat: configuration.heartbeat, resumed: true,
            requestID: pending.requestID)
        actions.append(.send(.joined(reply), to: [connection]))
    }

    /// Compares secrets without stopping at the first difference.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for index in 0..<min(x.count, y.count) { difference |= x[index] ^ y[index] }
        return difference == 0 && x.count == y.count
    }
}
