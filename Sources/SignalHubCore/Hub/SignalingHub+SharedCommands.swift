/// Multi-node mode, outgoing: every roster change becomes a `SharedRosterCommand`. The
/// store numbers it and publishes the event to every node, this one included, and the
/// replica here changes only when that event comes back (`SignalingHub+SharedInputs`), so
/// that all nodes apply the same events in the same order.
extension SignalingHub {
    private func unavailable(_ requestID: String?) -> ProtocolError {
        ProtocolError(.serviceUnavailable, "the shared roster store is unavailable; try again shortly", requestID: requestID)
    }

    /// A verified join (or resume) goes to the store; the socket waits in `committing`.
    mutating func commitJoin(
        _ identity: CallIdentity, pending: PendingJoin, connection: ConnectionID,
        failedJoins: Int, deadline: Int64, at now: HubInstant, into actions: inout [HubAction]
    ) {
        guard sharedStoreAvailable else {
            return failJoin(connection, failedJoins: failedJoins, deadline: deadline, error: unavailable(pending.requestID), into: &actions)
        }
        let sessionID = identity.sessionID
        connections[connection] = .committing(failedJoins: failedJoins, deadline: deadline, pending, sessionID)
        committingJoins[connection] = sessionID
        pendingCommits[sessionID, default: 0] += 1
        if sessions[sessionID] == nil, joinBuffers[sessionID] == nil { joinBuffers[sessionID] = [] }
        if let resume = pending.resume {
            actions.append(.shared(.resume(SharedResume(
                connection: connection, requestID: pending.requestID, sessionID: sessionID, pid: resume.pid,
                uid: identity.uid, resumeToken: resume.resumeToken, newResumeToken: ids.resumeToken(), lastSeq: resume.lastSeq))))
            return
        }
        let settings = pending.settings.effective
        let participant = Participant(
            pid: ids.participantID(), uid: identity.uid, name: identity.name, avatar: identity.avatar, role: identity.role,
            sessionType: settings.sessionType, isAudioMuted: settings.startAudioMuted,
            isVideoPaused: settings.startVideoPaused, isHandRaised: false, joinedAt: now.unixMs)
        actions.append(.shared(.join(SharedJoin(
            connection: connection, requestID: pending.requestID, sessionID: sessionID, participant: participant, settings: settings,
            resumeToken: ids.resumeToken(), maxParticipants: configuration.maxParticipantsPerSession))))
    }

    /// A state change (the member's own, or a moderator's mute). A VOICE participant's video
    /// never changes, which the replica knows without asking the store.
    mutating func sharedUpdate(
        _ change: StateChange, of pid: ParticipantID, by moderator: ParticipantID?, in sessionID: SessionID, reply: SharedReplyTarget
    ) -> [HubAction] {
        if change.field == .isVideoPaused, hostedParticipant(pid, in: sessionID)?.sessionType == .voice {
            return [.send(.ack(requestID: reply.requestID), to: [reply.connection])]
        }
        return [.shared(.update(sessionID: sessionID, pid: pid, change: change, by: moderator, reply: reply))]
    }

    /// A member hosted here goes (leave, grace period over, socket gone with no grace): it
    /// stops being a recipient at once, and the store removes it from the shared roster.
    /// When the store is away, reconciling later removes it.
    mutating func releaseHostedMember(
        _ pid: ParticipantID, from sessionID: SessionID, reason: LeaveReason, closeCode: CloseCode? = nil, into actions: inout [HubAction]
    ) {
        let member = sessions[sessionID]?.members.removeValue(forKey: pid)
        if let connection = member?.connection {
            sessions[sessionID]?.recipients.removeAll { $0 == connection }
            if let closeCode {
                connections[connection] = .closing
                actions.append(.close(connection, closeCode, reason: reason.rawValue))
            }
        }
        dropReplicaIfUnused(sessionID)
        guard member != nil, sharedStoreAvailable else { return }
        actions.append(.shared(.remove(sessionID: sessionID, pid: pid, reason: reason, onlyIfHostedHere: true, reply: nil)))
    }

    /// A participant of the session: from the replica, or, for a member here whose join
    /// the replica has not caught up with yet, as the store added it.
    func hostedParticipant(_ pid: ParticipantID, in sessionID: SessionID) -> Participant? {
        guard let session = sessions[sessionID] else { return nil }
        return session.roster.participant(pid) ?? session.members[pid]?.joinedAs
    }

    /// A replica is kept while this node hosts a member of the session or has a join for it
    /// on its way; events of other sessions are not this node's business.
    mutating func dropReplicaIfUnused(_ sessionID: SessionID) {
        guard let session = sessions[sessionID], session.members.isEmpty else { return }
        if pendingCommits[sessionID] != nil { return }
        sessions[sessionID] = nil
    }

    /// What this node hosts, for reconciling the store after an outage.
    func hostedSessions() -> [HostedSession] {
        sessions.values.compactMap { session in
            var members = session.roster.participants.compactMap { participant -> HostedSession.Member? in
                guard let member = session.members[participant.pid] else { return nil }
                return HostedSession.Member(participant: participant, settings: member.settings, resumeToken: member.resumeToken)
            }
            // Members whose join the replica had not heard of yet.
            for (pid, member) in session.members where session.roster.participant(pid) == nil {
                guard let participant = member.joinedAs else { continue }
                members.append(HostedSession.Member(participant: participant, settings: member.settings, resumeToken: member.resumeToken))
            }
            guard !members.isEmpty else { return nil }
            return HostedSession(sessionID: session.roster.sessionID, seq: session.roster.seq, members: members)
        }
        .sorted { $0.sessionID < $1.sessionID }
    }

    /// Multi-node shutdown: the members here hear `sessionEnded` (`serverShutdown`) and are
    /// closed with 1001, and leave the shared roster (`disconnected`); the session goes on
    /// for the members on other nodes.
    mutating func sharedShutdown(into actions: inout [HubAction]) {
        for sessionID in sessions.keys.sorted() {
            guard let session = sessions[sessionID] else { continue }
            let recipients = session.recipients
            if !recipients.isEmpty {
                actions.append(.send(.sessionEnded(sessionID: sessionID, reason: .serverShutdown), to: recipients))
            }
            for connection in recipients {
                connections[connection] = .closing
                actions.append(.close(connection, .goingAway, reason: SessionEndReason.serverShutdown.rawValue))
            }
            if sharedStoreAvailable {
                for pid in session.members.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
                    actions.append(.shared(.remove(sessionID: sessionID, pid: pid, reason: .disconnected, onlyIfHostedHere: true, reply: nil)))
                }
            }
            sessions[sessionID] = nil
        }
    }
}
