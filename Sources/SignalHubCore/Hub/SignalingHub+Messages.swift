extension SignalingHub {
    /// A client message arrived: either parsed, or the error that parsing produced.
    public mutating func received(
        _ parsed: Result<ClientEnvelope, ProtocolError>, from connection: ConnectionID, at now: HubInstant
    ) -> [HubAction] {
        guard let state = connections[connection] else { return [] }
        if case .closing = state { return [] }
        // Garbage counts too: a flood of anything is a flood.
        let limit = configuration.rateLimit
        switch rateLimiters[connection]?.admit(limit, now: now.monotonicMs) {
        case .refuse?:
            return [.send(.error(Self.rateLimited(parsed)), to: [connection])]
        case .close?:
            var actions: [HubAction] = [.send(.error(Self.rateLimited(parsed)), to: [connection])]
            // Closed for abuse, the member is treated as dropped: grace period, then it leaves.
            if case .joined(let sessionID, let pid) = state {
                memberLostConnection(pid, in: sessionID, connection: connection, at: now, into: &actions)
            }
            connections[connection] = .closing
            actions.append(.close(connection, .policyViolation, reason: "rate limit exceeded"))
            return actions
        default:
            break
        }
        let envelope: ClientEnvelope
        switch parsed {
        case .failure(let error):
            if error.refusesJoin, case .awaitingJoin(let failedJoins, let deadline) = state {
                var actions: [HubAction] = []
                failJoin(connection, failedJoins: failedJoins, deadline: deadline, error: error, into: &actions)
                return actions
            }
            return [.send(.error(error), to: [connection])]
        case .success(let value):
            envelope = value
        }
        let requestID = envelope.requestID
        func reply(_ code: ErrorCode, _ message: String) -> [HubAction] {
            [.send(.error(ProtocolError(code, message, requestID: requestID)), to: [connection])]
        }

        // Liveness works before and after a join alike.
        if case .ping(let ts) = envelope.message {
            return [.send(.pong(ts: ts, serverTime: now.unixMs, requestID: requestID), to: [connection])]
        }

        switch state {
        case .awaitingJoin(let failedJoins, let deadline):
            guard case .join(let token, let settings, let resume) = envelope.message else {
                return reply(.notJoined, "join a session first")
            }
            let pending = PendingJoin(requestID: requestID, settings: settings, resume: resume)
            connections[connection] = .authenticating(failedJoins: failedJoins, deadline: deadline, pending)
            return [.verifyCallToken(connection, token: token)]
        case .authenticating, .committing:
            // The adapter pauses reading while a token is checked, so this is a client
            // that pipelined past its own join: refuse rather than reorder.
            if case .join = envelope.message { return reply(.alreadyJoined, "a join is already in progress") }
            return reply(.notJoined, "join a session first")
        case .joined(let sessionID, let pid):
            return handleJoined(envelope, sessionID: sessionID, pid: pid, connection: connection)
        case .closing:
            return []
        }
    }

    private static func rateLimited(_ parsed: Result<ClientEnvelope, ProtocolError>) -> ProtocolError {
        let requestID: String?
        switch parsed {
        case .success(let envelope): requestID = envelope.requestID
        case .failure(let error): requestID = error.requestID
        }
        return ProtocolError(.rateLimited, "too many messages: slow down", requestID: requestID)
    }

    private mutating func handleJoined(
        _ envelope: ClientEnvelope, sessionID: SessionID, pid: ParticipantID, connection: ConnectionID
    ) -> [HubAction] {
        let requestID = envelope.requestID
        var actions: [HubAction] = []
        func error(_ code: ErrorCode, _ message: String) -> [HubAction] {
            [.send(.error(ProtocolError(code, message, requestID: requestID)), to: [connection])]
        }
        guard let me = hostedParticipant(pid, in: sessionID) else {
            return error(.notJoined, "not in a session")
        }
        let replyTarget = SharedReplyTarget(connection: connection, requestID: requestID)
        let shared = configuration.sharedRoster
        // A member whose `joined` came from the store ahead of this node's replica may name
        // participants the replica has not heard of yet; the store checks those instead.
        let aheadOfReplica = shared && sessions[sessionID]?.members[pid]?.activateAt != nil
        func knows(_ other: ParticipantID) -> Bool {
            aheadOfReplica || sessions[sessionID]?.roster.participant(other) != nil
        }
        func storeAway() -> [HubAction]? {
            shared && !sharedStoreAvailable ? error(.serviceUnavailable, "the shared roster store is unavailable; try again shortly") : nil
        }

        switch envelope.message {
        case .join:
            return error(.alreadyJoined, "this socket is already in session \(sessionID)")
        case .ping:
            return []  // answered before the state switch
        case .changeState(let change):
            if shared { return storeAway() ?? sharedUpdate(change, of: pid, by: nil, in: sessionID, reply: replyTarget) }
            actions.append(.send(.ack(requestID: requestID), to: [connection]))
            if let event = sessions[sessionID]?.roster.apply(change, to: pid) {
                deliver(event, into: &actions)
            }
        case .leave:
            actions.append(.send(.left(sessionID: sessionID, requestID: requestID), to: [connection]))
            if shared {
                releaseHostedMember(pid, from: sessionID, reason: .left, closeCode: .normal, into: &actions)
                return actions
            }
            removeMember(pid, from: sessionID, reason: .left, closeCode: .normal, notifyRemoved: false, into: &actions)
        case .sync:
            guard let roster = sessions[sessionID]?.roster else { return error(.notJoined, "not in a session") }
            actions.append(.send(.roster(sessionID: sessionID, seq: roster.seq, participants: roster.participants, requestID: requestID), to: [connection]))
        case .signal(let to, let data):
            guard knows(to) else {
                return error(.participantNotFound, "no participant \(to) in this session")
            }
            if shared, sessions[sessionID]?.members[to] == nil {
                // Hosted by another node: through the store's bus.
                if let away = storeAway() { return away }
                actions.append(.send(.ack(requestID: requestID), to: [connection]))
                actions.append(.shared(.signal(sessionID: sessionID, from: pid, to: to, data: data)))
                return actions
            }
            actions.append(.send(.ack(requestID: requestID), to: [connection]))
            // A target in its grace period has no socket; the offer is dropped, as it would
            // be on a network blip, and the peer renegotiates after its resume.
            if let target = sessions[sessionID]?.members[to]?.connection {
                actions.append(.send(.signal(from: pid, data: data), to: [target]))
            }
        case .muteParticipant(let target):
            guard me.role == .moderator else { return error(.forbidden, "only a moderator may mute others") }
            guard knows(target) else {
                return error(.participantNotFound, "no participant \(target) in this session")
            }
            if shared { return storeAway() ?? sharedUpdate(.muteAudio, of: target, by: pid, in: sessionID, reply: replyTarget) }
            actions.append(.send(.ack(requestID: requestID), to: [connection]))
            if let event = sessions[sessionID]?.roster.apply(.muteAudio, to: target, by: pid) {
                deliver(event, into: &actions)
            }
        case .removeParticipant(let target):
            guard me.role == .moderator else { return error(.forbidden, "only a moderator may remove others") }
            guard knows(target) else {
                return error(.participantNotFound, "no participant \(target) in this session")
            }
            if shared {
                if let away = storeAway() { return away }
                return [.shared(.remove(sessionID: sessionID, pid: target, reason: .removed, onlyIfHostedHere: false, reply: replyTarget))]
            }
            actions.append(.send(.ack(requestID: requestID), to: [connection]))
            removeMember(target, from: sessionID, reason: .removed, closeCode: .removed, into: &actions)
        case .endSession:
            guard me.role == .moderator else { return error(.forbidden, "only a moderator may end the session") }
            if shared {
                if let away = storeAway() { return away }
                return [.shared(.end(sessionID: sessionID, reason: .endedByModerator, reply: replyTarget))]
            }
            actions.append(.send(.ack(requestID: requestID), to: [connection]))
            endSession(sessionID, reason: .endedByModerator, closeCode: .sessionEnded, into: &actions)
        }
        return actions
    }

    /// The adapter checked the call token of a pending join.
    public mutating func callTokenVerified(
        _ result: Result<CallIdentity, ProtocolError>, for connection: ConnectionID, at now: HubInstant
    ) -> [HubAction] {
        guard case .authenticating(let failedJoins, let deadline, let pending)? = connections[connection] else {
            return []  // the socket closed or timed out meanwhile
        }
        var actions: [HubAction] = []
        switch result {
        case .failure(var error):
            error.requestID = pending.requestID
            failJoin(connection, failedJoins: failedJoins, deadline: deadline, error: error, into: &actions)
        case .success(let identity):
            admit(identity, pending: pending, connection: connection, failedJoins: failedJoins, deadline: deadline, at: now, into: &actions)
        }
        return actions
    }

    mutating func failJoin(
        _ connection: ConnectionID, failedJoins: Int, deadline: Int64, error: ProtocolError, into actions: inout [HubAction]
    ) {
        actions.append(.send(.error(error), to: [connection]))
        // The store being away is not the client's fault.
        let failed = error.code == .serviceUnavailable ? failedJoins : failedJoins + 1
        if failed >= configuration.maxFailedJoins {
            connections[connection] = .closing
            actions.append(.close(connection, .policyViolation, reason: "too many failed joins"))
        } else {
            connections[connection] = .awaitingJoin(failedJoins: failed, deadline: deadline)
        }
    }

    private mutating func admit(
        _ identity: CallIdentity, pending: PendingJoin, connection: ConnectionID,
        failedJoins: Int, deadline: Int64, at now: HubInstant, into actions: inout [HubAction]
    ) {
        let sessionID = identity.sessionID
        if configuration.sharedRoster {
            return commitJoin(identity, pending: pending, connection: connection, failedJoins: failedJoins, deadline: deadline, at: now, into: &actions)
        }
        if let resume = pending.resume {
            return self.resume(resume, identity: identity, pending: pending, connection: connection, failedJoins: failedJoins, deadline: deadline, into: &actions)
        }
        // Scalars only: a copy of the session held across the mutations below would make
        // each of them copy the session's tables (every join O(members)).
        let duplicate = sessions[sessionID]?.roster.participant(uid: identity.uid)
        let existingSeq = sessions[sessionID]?.roster.seq ?? 0
        let others = (sessions[sessionID]?.roster.count ?? 0) - (duplicate == nil ? 0 : 1)
        guard others < configuration.maxParticipantsPerSession else {
            let error = ProtocolError(.sessionFull, "session \(sessionID) is full", requestID: pending.requestID)
            failJoin(connection, failedJoins: failedJoins, deadline: deadline, error: error, into: &actions)
            return
        }
        // The old member leaves before the new one arrives, so nobody ever sees a uid twice.
        // When it was the only member, the session's seq carries on past its leave rather
        // than starting again at 1 (the roster guarantee: +1 per event, no reset).
        var carriedSeq: UInt64 = 0
        if let duplicate {
            removeMember(duplicate.pid, from: sessionID, reason: .replaced, closeCode: .replaced, into: &actions)
            carriedSeq = existingSeq + 1
        }

        let settings = pending.settings.effective
        var pid = ids.participantID()
        while sessions[sessionID]?.roster.participant(pid) != nil { pid = ids.participantID() }
        let participant = Participant(
            pid: pid, uid: identity.uid, name: identity.name, avatar: identity.avatar, role: identity.role,
            sessionType: settings.sessionType, isAudioMuted: settings.startAudioMuted,
            isVideoPaused: settings.startVideoPaused, isHandRaised: false, joinedAt: now.unixMs
        )
        if sessions[sessionID] == nil {
            sessions[sessionID] = Session(roster: SessionRoster(sessionID: sessionID, seq: carriedSeq))
        }
        let resumeToken = ids.resumeToken()
        let recipients = sessions[sessionID]?.recipients ?? []
        let event = sessions[sessionID]!.roster.add(participant)
        remember(event)
        sessions[sessionID]?.members[pid] = LocalMember(connection: connection, graceDeadline: nil, resumeToken: resumeToken, settings: settings)
        sessions[sessionID]?.recipients.append(connection)
        connections[connection] = .joined(sessionID, pid)

        let reply = JoinedReply(
            sessionID: sessionID, selfParticipant: participant, participants: sessions[sessionID]?.roster.participants ?? [],
            seq: event.seq, resumeToken: resumeToken, settings: settings, heartbeat: configuration.heartbeat,
            resumed: false, requestID: pending.requestID
        )
        actions.append(.send(.joined(reply), to: [connection]))
        if !recipients.isEmpty { actions.append(.send(.event(event), to: recipients)) }
    }
}
