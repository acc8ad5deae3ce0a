import SignalHubCore
import SignalHubWire

/// What one client has been told: its last snapshot plus every event since.
struct ClientView: Equatable {
    var sessionID: SessionID
    var seq: UInt64
    var participants: [Participant]
}

/// A socket's membership, from its `joined` reply.
struct Member {
    let sessionID: SessionID
    let pid: ParticipantID
    let uid: String
    let role: Role
    let resumeToken: String
}

/// Checks every action the hub returns, as each recipient would see it, and the hub's own
/// state after every operation. Any broken rule is a `violation` (a crash).
struct Checker {
    let configuration: HubConfiguration
    let encoder = MessageEncoder()

    /// The roster each joined client has rebuilt from its snapshot and events.
    var views: [ConnectionID: ClientView] = [:]
    /// A resuming client's view from before its drop, adopted when the replay starts.
    var resumeViews: [ConnectionID: ClientView] = [:]
    /// The last view of each socket that closed, for a later resume.
    var droppedViews: [ConnectionID: ClientView] = [:]
    /// Sockets receiving a resume replay (events already sent once), until their `joined`.
    var replaying: Set<ConnectionID> = []
    var members: [ConnectionID: Member] = [:]
    /// Which socket holds each pid now (a resume moves it).
    var owner: [ParticipantID: ConnectionID] = [:]

    /// Every roster event sent, per session: one seq always means one event, and new
    /// events come in strictly increasing seq.
    var events: [SessionID: [UInt64: RosterEvent]] = [:]
    var newestSeq: [SessionID: UInt64] = [:]
    var lastSeq: [SessionID: UInt64] = [:]

    var closeAsked: Set<ConnectionID> = []
    /// Sockets the hub was told are closed, and when.
    var gone: [ConnectionID: Int64] = [:]

    init(configuration: HubConfiguration) {
        self.configuration = configuration
    }

    mutating func socketGone(_ connection: ConnectionID, at now: HubInstant) {
        gone[connection] = now.monotonicMs
        if let view = views.removeValue(forKey: connection) { droppedViews[connection] = view }
        resumeViews[connection] = nil
        replaying.remove(connection)
    }

    // MARK: Actions

    mutating func observe(_ actions: [HubAction]) {
        for action in actions {
            switch action {
            case .send(let message, let recipients):
                checkEncoding(message)
                for connection in recipients {
                    if gone[connection] != nil { violation("\(message) sent to \(connection), which had closed") }
                    if closeAsked.contains(connection) { violation("\(message) sent to \(connection) after the hub closed it") }
                    receive(message, on: connection)
                }
            case .close(let connection, _, _):
                if gone[connection] != nil { violation("close of \(connection), which had closed already") }
                closeAsked.insert(connection)
                if let view = views.removeValue(forKey: connection) { droppedViews[connection] = view }
            case .verifyCallToken(let connection, _):
                if gone[connection] != nil { violation("token check for \(connection), which had closed") }
            }
        }
    }

    /// Every message must encode to JSON that parses back to an object with a type.
    private func checkEncoding(_ message: ServerMessage) {
        let frame = encoder.encode(message)
        guard case .success(.object(let fields)) = JSONDecoding.parse(frame.bytes), case .string? = fields["type"] else {
            violation("\(message) encoded to invalid JSON: \(frame.text.prefix(200))")
        }
        if let seq = message.rosterEventSeq, fields["seq"] != .integer(Int64(seq)) {
            violation("event seq \(seq) encoded as \(String(describing: fields["seq"]))")
        }
    }

    private mutating func receive(_ message: ServerMessage, on connection: ConnectionID) {
        switch message {
        case .joined(let reply):
            checkUnique(reply.participants, "joined")
            guard reply.participants.contains(reply.selfParticipant) else {
                violation("joined: self \(reply.selfParticipant.pid) not in the roster")
            }
            if reply.resumed, let view = views[connection] ?? resumeViews[connection],
                view.seq != reply.seq || view.participants != reply.participants
            {
                violation("resume of \(reply.selfParticipant.pid): replay ends at seq \(view.seq), joined says \(reply.seq)")
            }
            views[connection] = ClientView(sessionID: reply.sessionID, seq: reply.seq, participants: reply.participants)
            resumeViews[connection] = nil
            replaying.remove(connection)
            let me = reply.selfParticipant
            members[connection] = Member(sessionID: reply.sessionID, pid: me.pid, uid: me.uid, role: me.role, resumeToken: reply.resumeToken)
            owner[me.pid] = connection
        case .roster(let sessionID, let seq, let participants, _):
            guard let view = views[connection] ?? resumeViews[connection], view.sessionID == sessionID else {
                violation("roster of \(sessionID) sent to \(connection), which is not in it")
            }
            checkUnique(participants, "roster")
            views[connection] = ClientView(sessionID: sessionID, seq: seq, participants: participants)
        case .participantJoined(let event), .participantUpdated(let event), .participantLeft(let event):
            if views[connection] == nil, let view = resumeViews.removeValue(forKey: connection) {
                views[connection] = view
                replaying.insert(connection)
            }
            recordEvent(event, replay: replaying.contains(connection))
            guard var view = views[connection] else { violation("event \(event.seq) sent to \(connection), which has no roster") }
            apply(event, to: &view, connection)
            views[connection] = view
        case .left(let sessionID, _):
            guard views[connection]?.sessionID == sessionID else { violation("left \(sessionID) sent to \(connection), not in it") }
            if let view = views.removeValue(forKey: connection) { droppedViews[connection] = view }
        case .sessionEnded(let sessionID, _):
            guard views[connection]?.sessionID == sessionID else { violation("sessionEnded \(sessionID) sent to \(connection), not in it") }
            views[connection] = nil
        case .signal(let from, _):
            guard let view = views[connection], view.participants.contains(where: { $0.pid == from }) else {
                violation("signal from \(from) to \(connection), which does not know that participant")
            }
        case .ack, .error, .pong:
            break
        }
    }

    /// A client applies an event to its roster: the seq must be the next one, and the
    /// participant must be (or not be) there, changed in exactly the fields named.
    private func apply(_ event: RosterEvent, to view: inout ClientView, _ connection: ConnectionID) {
        guard event.sessionID == view.sessionID else {
            violation("\(connection) in \(view.sessionID) got an event of \(event.sessionID)")
        }
        guard event.seq == view.seq + 1 else {
            violation("\(connection) in \(view.sessionID) at seq \(view.seq) got event seq \(event.seq)")
        }
        let pid = event.participant.pid
        let index = view.participants.firstIndex { $0.pid == pid }
        switch event.kind {
        case .joined:
            guard index == nil else { violation("participantJoined for \(pid), already in \(view.sessionID)") }
            view.participants.append(event.participant)
        case .updated(let changed, _):
            guard let index else { violation("participantUpdated for \(pid), not in \(view.sessionID)") }
            let old = view.participants[index], new = event.participant
            var differs: [ParticipantField] = []
            if old.isAudioMuted != new.isAudioMuted { differs.append(.isAudioMuted) }
            if old.isVideoPaused != new.isVideoPaused { differs.append(.isVideoPaused) }
            if old.isHandRaised != new.isHandRaised { differs.append(.isHandRaised) }
            guard differs == changed, old.uid == new.uid, old.role == new.role, old.joinedAt == new.joinedAt else {
                violation("participantUpdated \(event.seq) for \(pid) says \(changed), differs in \(differs)")
            }
            view.participants[index] = new
        case .left:
            guard let index else { violation("participantLeft for \(pid), not in \(view.sessionID)") }
            view.participants.remove(at: index)
        }
        view.seq = event.seq
        checkUnique(view.participants, "client view of \(connection)")
    }

    private mutating func recordEvent(_ event: RosterEvent, replay: Bool) {
        let sessionID = event.sessionID
        if let known = events[sessionID]?[event.seq] {
            if known != event { violation("seq \(event.seq) of \(sessionID) sent as two different events") }
            if !replay && event.seq != newestSeq[sessionID] { violation("old event \(event.seq) of \(sessionID) sent again") }
            return
        }
        if !replay {
            if let newest = newestSeq[sessionID], event.seq <= newest {
                violation("event \(event.seq) of \(sessionID) sent after \(newest)")
            }
            newestSeq[sessionID] = event.seq
        }
        events[sessionID, default: [:]][event.seq] = event
    }

    private func checkUnique(_ participants: [Participant], _ context: @autoclosure () -> String) {
        if Set(participants.map(\.pid)).count != participants.count { violation("\(context()): duplicate pid") }
        if Set(participants.map(\.uid)).count != participants.count { violation("\(context()): duplicate uid") }
    }

    // MARK: State after each operation

    mutating func verify(_ hub: SignalingHub, now: HubInstant) {
        var live: Set<SessionID> = []
        for summary in hub.sessionSummaries() {
            let id = summary.sessionID
            guard let roster = hub.roster(of: id) else { violation("summary of \(id) without a roster") }
            let count = roster.count
            guard count == summary.participantCount, roster.seq == summary.seq, count > 0,
                count <= configuration.maxParticipantsPerSession
            else { violation("\(id): \(count) participants, summary \(summary.participantCount), max \(configuration.maxParticipantsPerSession)") }
            checkUnique(roster.participants, "roster of \(id)")
            if let last = lastSeq[id], roster.seq < last { violation("\(id): seq went back from \(last) to \(roster.seq)") }
            if let newest = newestSeq[id], newest > roster.seq { violation("\(id): event \(newest) sent, seq is \(roster.seq)") }
            lastSeq[id] = roster.seq
            live.insert(id)
        }
        // A session that is gone may start again at seq 1.
        for id in Set(lastSeq.keys).union(events.keys).union(newestSeq.keys) where !live.contains(id) {
            lastSeq[id] = nil
            events[id] = nil
            newestSeq[id] = nil
        }
        // Every client's rebuilt roster is the hub's.
        for (connection, view) in views {
            guard let roster = hub.roster(of: view.sessionID) else {
                violation("\(connection) still in \(view.sessionID), which is gone")
            }
            guard roster.seq == view.seq, roster.participants == view.participants else {
                violation("\(connection)'s roster of \(view.sessionID) (seq \(view.seq), \(view.participants.map(\.pid))) != hub's (seq \(roster.seq), \(roster.participants.map(\.pid)))")
            }
        }
        // A closed socket's participant leaves at once, or when its grace period is over.
        for (connection, closedAt) in gone {
            guard let member = members[connection], owner[member.pid] == connection,
                now.monotonicMs >= closedAt + configuration.gracePeriodMs,
                hub.roster(of: member.sessionID)?.participant(member.pid) != nil
            else { continue }
            violation("\(member.pid) of \(member.sessionID) still in the roster after \(connection) closed at \(closedAt) (now \(now.monotonicMs))")
        }
    }
}
