/// Multi-node mode, incoming: what the shared store reports. Each session hosted here has a
/// replica that moves only by the store's events, strictly in seq order; a gap makes it
/// ask for a snapshot, and whatever arrives meanwhile waits. Members joining here hear
/// events from their own `joined` seq on, whatever the replica's position at that moment.
extension SignalingHub {
    public mutating func sharedInput(_ input: SharedRosterInput, at now: HubInstant) -> [HubAction] {
        var actions: [HubAction] = []
        switch input {
        case .event(let event):
            receiveSharedEvent(event, into: &actions)
        case .sessionEnded(let sessionID, let reason, let seq):
            receiveSharedEnd(sessionID, reason: reason, seq: seq, into: &actions)
        case .claimed(let sessionID, let pid, _):
            // Resumed on another node: this copy gives way without any event.
            if let member = sessions[sessionID]?.members.removeValue(forKey: pid) {
                if member.activateAt != nil { sessions[sessionID]?.pendingActivations -= 1 }
                if let connection = member.connection {
                    sessions[sessionID]?.recipients.removeAll { $0 == connection }
                    connections[connection] = .closing
                    actions.append(.close(connection, .replaced, reason: "resumed on another node"))
                }
                dropReplicaIfUnused(sessionID)
            }
        case .signal(let sessionID, let from, let to, let data):
            if let target = sessions[sessionID]?.members[to]?.connection {
                actions.append(.send(.signal(from: from, data: data), to: [target]))
            }
        case .resync(let sessionID):
            if sessions[sessionID]?.awaitingSnapshot == false { requestSnapshot(sessionID, into: &actions) }
        case .snapshot(let sessionID, let snapshot):
            applySnapshot(snapshot, to: sessionID, force: false, into: &actions)
        case .joinCompleted(let connection, let result):
            completeSharedJoin(connection, result, into: &actions)
        case .replied(let target, let result):
            guard case .joined? = connections[target.connection] else { break }
            switch result {
            case .success: actions.append(.send(.ack(requestID: target.requestID), to: [target.connection]))
            case .failure(var error):
                error.requestID = target.requestID
                actions.append(.send(.error(error), to: [target.connection]))
            }
        case .recovered(let snapshots):
            for sessionID in sessions.keys.sorted() {
                sessions[sessionID]?.awaitingSnapshot = true
                applySnapshot(snapshots[sessionID], to: sessionID, force: true, into: &actions)
            }
            sharedStoreAvailable = true
        case .availability(.unavailable):
            sharedStoreAvailable = false
        case .availability(.reconnected):
            sharedStoreAvailable = false
            actions.append(.shared(.reconcile(hostedSessions())))
        }
        return actions
    }

    // MARK: Events

    mutating func receiveSharedEvent(_ event: RosterEvent, into actions: inout [HubAction]) {
        let sessionID = event.sessionID
        guard let session = sessions[sessionID] else {
            joinBuffers[sessionID]?.append(.event(event))  // only while a join is on its way
            return
        }
        if session.awaitingSnapshot { return bufferForSnapshot(.event(event), sessionID) }
        if event.seq <= session.roster.seq { return }
        if event.seq > session.roster.seq + 1 {
            bufferForSnapshot(.event(event), sessionID)
            return requestSnapshot(sessionID, into: &actions)
        }
        applySharedEvent(event, into: &actions)
    }

    private mutating func applySharedEvent(_ event: RosterEvent, into actions: inout [HubAction]) {
        let sessionID = event.sessionID
        guard sessions[sessionID]?.roster.applyReplicated(event) == true else { return }
        remember(event)
        let recipients = sessions[sessionID]?.recipients ?? []
        var closing: (ConnectionID, CloseCode, LeaveReason)?
        // A member hosted here that left elsewhere: replaced or removed on another node, or
        // reaped. It hears the event too (the recipients above still include it), then goes.
        if case .left(let reason) = event.kind, let member = sessions[sessionID]?.members.removeValue(forKey: event.participant.pid) {
            if member.activateAt != nil { sessions[sessionID]?.pendingActivations -= 1 }
            if let connection = member.connection {
                sessions[sessionID]?.recipients.removeAll { $0 == connection }
                connections[connection] = .closing
                closing = (connection, Self.closeCode(for: reason), reason)
            }
        }
        if !recipients.isEmpty { actions.append(.send(.event(event), to: recipients)) }
        if let (connection, code, reason) = closing { actions.append(.close(connection, code, reason: reason.rawValue)) }
        activatePending(sessionID, into: &actions)
        dropReplicaIfUnused(sessionID)
    }

    private static func closeCode(for reason: LeaveReason) -> CloseCode {
        switch reason {
        case .left: return .normal
        case .replaced: return .replaced
        case .removed: return .removed
        case .sessionEnded: return .sessionEnded
        case .disconnected: return .goingAway
        }
    }

    mutating func receiveSharedEnd(_ sessionID: SessionID, reason: SessionEndReason, seq: UInt64, into actions: inout [HubAction]) {
        guard let session = sessions[sessionID] else {
            joinBuffers[sessionID]?.append(.ended(reason, seq: seq))
            return
        }
        guard seq > session.roster.seq else { return }  // the end of an earlier session of that ID
        // Everyone hosted here hears it, members still waiting for activation included.
        let connected = session.members.values.compactMap(\.connection)
        sessions[sessionID] = nil
        if !connected.isEmpty { actions.append(.send(.sessionEnded(sessionID: sessionID, reason: reason), to: connected)) }
        let code: CloseCode = reason == .serverShutdown ? .goingAway : .sessionEnded
        for connection in connected {
            connections[connection] = .closing
            actions.append(.close(connection, code, reason: reason.rawValue))
        }
        if pendingCommits[sessionID] != nil { joinBuffers[sessionID] = [.ended(reason, seq: seq)] }
    }

    // MARK: Snapshots

    private mutating func bufferForSnapshot(_ item: SharedBufferedItem, _ sessionID: SessionID) {
        sessions[sessionID]?.buffered.append(item)
    }

    private mutating func requestSnapshot(_ sessionID: SessionID, into actions: inout [HubAction]) {
        sessions[sessionID]?.awaitingSnapshot = true
        actions.append(.shared(.snapshot(sessionID)))
    }

    /// Replaces a replica that fell behind (or everything, after an outage: `force`). The
    /// members here get a `roster` in place of what they missed; members the store no
    /// longer has are closed; traffic held back meanwhile then applies in order.
    mutating func applySnapshot(_ snapshot: SharedSnapshot?, to sessionID: SessionID, force: Bool, into actions: inout [HubAction]) {
        guard let session = sessions[sessionID], session.awaitingSnapshot else { return }
        sessions[sessionID]?.awaitingSnapshot = false
        let held = session.buffered
        sessions[sessionID]?.buffered = []
        guard let snapshot else {
            // The store has no such session any more: its end was lost with the connection.
            return receiveSharedEnd(sessionID, reason: .serverShutdown, seq: .max, into: &actions)
        }
        if force || snapshot.seq > session.roster.seq {
            sessions[sessionID]?.roster = SessionRoster(sessionID: sessionID, seq: snapshot.seq, participants: snapshot.participants)
            sessions[sessionID]?.history.removeAll()
            let recipients = session.recipients
            if !recipients.isEmpty {
                actions.append(.send(.roster(sessionID: sessionID, seq: snapshot.seq, participants: snapshot.participants, requestID: nil), to: recipients))
            }
            let present = Set(snapshot.participants.map(\.pid))
            for (pid, member) in session.members where !present.contains(pid) && member.activateAt == nil {
                sessions[sessionID]?.members[pid] = nil
                guard let connection = member.connection else { continue }
                sessions[sessionID]?.recipients.removeAll { $0 == connection }
                connections[connection] = .closing
                actions.append(.close(connection, .goingAway, reason: "no longer in the shared roster"))
            }
        }
        activatePending(sessionID, into: &actions)
        for item in held.sorted(by: { $0.seq < $1.seq }) where sessions[sessionID] != nil {
            feed(item, of: sessionID, into: &actions)
        }
        dropReplicaIfUnused(sessionID)
    }

    mutating func feed(_ item: SharedBufferedItem, of sessionID: SessionID, into actions: inout [HubAction]) {
        switch item {
        case .event(let event): receiveSharedEvent(event, into: &actions)
        case .ended(let reason, let seq): receiveSharedEnd(sessionID, reason: reason, seq: seq, into: &actions)
        }
    }

    /// Members that joined at a seq the replica has now reached start hearing events; those
    /// that joined behind it first get what they missed, from the history or as a `roster`.
    mutating func activatePending(_ sessionID: SessionID, into actions: inout [HubAction]) {
        guard let session = sessions[sessionID], session.pendingActivations > 0, !session.awaitingSnapshot else { return }
        let roster = session.roster
        for (pid, member) in session.members {
            guard let from = member.activateAt, from <= roster.seq else { continue }
            sessions[sessionID]?.members[pid]?.activateAt = nil
            sessions[sessionID]?.pendingActivations -= 1
            guard let connection = member.connection else { continue }
            if from < roster.seq {
                let missed = session.history.filter { $0.seq > from }
                if missed.first?.seq == from + 1, missed.last?.seq == roster.seq {
                    for event in missed { actions.append(.send(.event(event), to: [connection])) }
                } else {
                    actions.append(.send(.roster(sessionID: sessionID, seq: roster.seq, participants: roster.participants, requestID: nil), to: [connection]))
                }
            }
            sessions[sessionID]?.recipients.append(connection)
        }
    }
}
