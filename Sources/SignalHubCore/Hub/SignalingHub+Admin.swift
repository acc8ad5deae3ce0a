/// A session as the admin API lists it.
public struct SessionSummary: Sendable, Hashable {
    public let sessionID: SessionID
    public let participantCount: Int
    public let seq: UInt64

    public init(sessionID: SessionID, participantCount: Int, seq: UInt64) {
        self.sessionID = sessionID
        self.participantCount = participantCount
        self.seq = seq
    }
}

extension SignalingHub {
    public func sessionSummaries() -> [SessionSummary] {
        sessions.values
            .map { SessionSummary(sessionID: $0.roster.sessionID, participantCount: $0.roster.count, seq: $0.roster.seq) }
            .sorted { $0.sessionID < $1.sessionID }
    }

    public func roster(of sessionID: SessionID) -> SessionRoster? { sessions[sessionID]?.roster }

    /// `DELETE /v1/sessions/{id}`: ends it for everyone.
    public mutating func adminEndSession(_ sessionID: SessionID) throws(ProtocolError) -> [HubAction] {
        guard sessions[sessionID] != nil else { throw Self.noSession(sessionID) }
        var actions: [HubAction] = []
        endSession(sessionID, reason: .endedByAdmin, closeCode: .sessionEnded, into: &actions)
        return actions
    }

    /// `DELETE /v1/sessions/{id}/participants/{pid}`.
    public mutating func adminRemove(_ pid: ParticipantID, from sessionID: SessionID) throws(ProtocolError) -> [HubAction] {
        try requireParticipant(pid, in: sessionID)
        var actions: [HubAction] = []
        removeMember(pid, from: sessionID, reason: .removed, closeCode: .removed, into: &actions)
        return actions
    }

    /// `POST /v1/sessions/{id}/participants/{pid}/mute`: a forced audio mute.
    public mutating func adminMute(_ pid: ParticipantID, in sessionID: SessionID) throws(ProtocolError) -> [HubAction] {
        try requireParticipant(pid, in: sessionID)
        var actions: [HubAction] = []
        if let event = sessions[sessionID]?.roster.apply(.muteAudio, to: pid) {
            deliver(event, into: &actions)
        }
        return actions
    }

    /// The hub is going down: every member hears `sessionEnded` (`serverShutdown`) and is
    /// closed with 1001; sockets that never joined are closed too.
    public mutating func shutdown() -> [HubAction] {
        var actions: [HubAction] = []
        if configuration.sharedRoster {
            sharedShutdown(into: &actions)
        }
        for sessionID in sessions.keys.sorted() {
            endSession(sessionID, reason: .serverShutdown, closeCode: .goingAway, into: &actions)
        }
        for (connection, state) in connections {
            if case .closing = state { continue }
            connections[connection] = .closing
            actions.append(.close(connection, .goingAway, reason: "server shutdown"))
        }
        return actions
    }

    private func requireParticipant(_ pid: ParticipantID, in sessionID: SessionID) throws(ProtocolError) {
        guard let session = sessions[sessionID] else { throw Self.noSession(sessionID) }
        guard session.roster.participant(pid) != nil else {
            throw ProtocolError(.participantNotFound, "no participant \(pid) in session \(sessionID)")
        }
    }

    private static func noSession(_ sessionID: SessionID) -> ProtocolError {
        ProtocolError(.sessionNotFound, "no active session \(sessionID)")
    }
}

extension SignalingHub {
    /// A fresh `roster` for one joined socket: what replaces the backlog of a member that
    /// cannot keep up. Nil for a socket that is not in a session.
    public func rosterSnapshot(for connection: ConnectionID) -> ServerMessage? {
        guard case .joined(let sessionID, _)? = connections[connection], let roster = sessions[sessionID]?.roster else { return nil }
        return .roster(sessionID: sessionID, seq: roster.seq, participants: roster.participants, requestID: nil)
    }
}
