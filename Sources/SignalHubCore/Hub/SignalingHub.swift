import DequeModule

/// The roster logic of the hub as a state machine: sockets open, send messages, have
/// their tokens verified, close, and time passes; each input returns the actions that
/// follow (messages to send, sockets to close, tokens to verify). It does no I/O, reads
/// no clock and takes no lock: one thread owns it.
public struct SignalingHub {
    enum ConnectionState {
        case awaitingJoin(failedJoins: Int, deadline: Int64)
        case authenticating(failedJoins: Int, deadline: Int64, PendingJoin)
        /// Multi-node mode: the token is good and the shared store is adding the participant.
        case committing(failedJoins: Int, deadline: Int64, PendingJoin, SessionID)
        case joined(SessionID, ParticipantID)
        /// A close was asked for; nothing more is accepted from this socket.
        case closing
    }

    struct PendingJoin {
        let requestID: String?
        let settings: CallSettings
        let resume: ResumeRequest?
    }

    /// What this node knows of a participant beyond its public state.
    struct LocalMember {
        var connection: ConnectionID?
        var graceDeadline: Int64?
        var resumeToken: String
        let settings: CallSettings
        /// Multi-node mode: the member joined at this seq and hears events once this node's
        /// replica has caught up with it.
        var activateAt: UInt64? = nil
        /// Multi-node mode: the participant as the store added it, for the moments when this
        /// node's replica has not heard of its join yet.
        var joinedAs: Participant? = nil
    }

    struct Session {
        var roster: SessionRoster
        var members: [ParticipantID: LocalMember] = [:]
        /// The sockets of the members connected to this node, in join order: kept up to
        /// date on every membership change so that a fan-out reuses it as it is.
        var recipients: [ConnectionID] = []
        /// The latest roster events, oldest first, for replay to a resuming member.
        var history = Deque<RosterEvent>()
        /// Multi-node mode: the replica found a gap and waits for a snapshot; events that
        /// arrive meanwhile wait here.
        var awaitingSnapshot = false
        var buffered: [SharedBufferedItem] = []
        /// Multi-node mode: members here whose `activateAt` the replica has not reached.
        var pendingActivations = 0

        mutating func remember(_ event: RosterEvent, limit: Int) {
            guard limit > 0 else { return }
            if history.count >= limit { history.removeFirst() }
            history.append(event)
        }
    }

    public let configuration: HubConfiguration
    var connections: [ConnectionID: ConnectionState] = [:]
    var rateLimiters: [ConnectionID: RateLimiter] = [:]
    var sessions: [SessionID: Session] = [:]
    var deadlines = DeadlineQueue()
    var ids: IDGenerator
    /// Multi-node mode: whether the shared store is reachable and agrees with this node.
    public internal(set) var sharedStoreAvailable = false
    /// Multi-node mode: joins handed to the store, by socket; and the bus traffic of
    /// sessions that have no replica here yet but a join on its way.
    var committingJoins: [ConnectionID: SessionID] = [:]
    var pendingCommits: [SessionID: Int] = [:]
    var joinBuffers: [SessionID: [SharedBufferedItem]] = [:]

    public init(configuration: HubConfiguration = HubConfiguration(), random: any RandomNumberGenerator = SystemRandomNumberGenerator()) {
        self.configuration = configuration
        self.ids = IDGenerator(random: random)
    }

    /// The earliest monotonic time at which `tick` has work to do.
    public var nextDeadline: Int64? { deadlines.next }
    public var connectionCount: Int { connections.count }
    public var sessionCount: Int { sessions.count }
    public var participantCount: Int { sessions.values.reduce(0) { $0 + $1.roster.count } }

    // MARK: Socket lifecycle

    public mutating func connectionOpened(_ connection: ConnectionID, at now: HubInstant) {
        let deadline = now.monotonicMs + configuration.joinTimeoutMs
        connections[connection] = .awaitingJoin(failedJoins: 0, deadline: deadline)
        rateLimiters[connection] = RateLimiter(limit: configuration.rateLimit, now: now.monotonicMs)
        deadlines.schedule(.joinTimeout(connection), at: deadline)
    }

    /// The socket is gone, with or without a close handshake. A joined participant stays
    /// in the roster for the grace period (or leaves at once when it is 0).
    public mutating func connectionClosed(_ connection: ConnectionID, at now: HubInstant) -> [HubAction] {
        guard let state = connections.removeValue(forKey: connection) else { return [] }
        rateLimiters[connection] = nil
        guard case .joined(let sessionID, let pid) = state else { return [] }
        var actions: [HubAction] = []
        memberLostConnection(pid, in: sessionID, connection: connection, at: now, into: &actions)
        return actions
    }

    /// A joined member's socket is gone (dropped, or closed by the hub for abuse): it stays
    /// in the roster for the grace period, or leaves at once when that is 0. Its socket hears
    /// nothing more.
    mutating func memberLostConnection(
        _ pid: ParticipantID, in sessionID: SessionID, connection: ConnectionID, at now: HubInstant, into actions: inout [HubAction]
    ) {
        if configuration.gracePeriodMs <= 0 {
            if configuration.sharedRoster {
                return releaseHostedMember(pid, from: sessionID, reason: .disconnected, into: &actions)
            }
            removeMember(pid, from: sessionID, reason: .disconnected, notifyRemoved: false, into: &actions)
        } else {
            let deadline = now.monotonicMs + configuration.gracePeriodMs
            sessions[sessionID]?.members[pid]?.connection = nil
            sessions[sessionID]?.members[pid]?.graceDeadline = deadline
            sessions[sessionID]?.recipients.removeAll { $0 == connection }
            deadlines.schedule(.gracePeriod(sessionID, pid), at: deadline)
        }
    }

    /// Runs every timer due at `now`: join timeouts and grace periods.
    public mutating func tick(at now: HubInstant) -> [HubAction] {
        var actions: [HubAction] = []
        while let (timer, at) = deadlines.popDue(now: now.monotonicMs) {
            switch timer {
            case .joinTimeout(let connection):
                switch connections[connection] {
                case .awaitingJoin(_, let deadline)?, .authenticating(_, let deadline, _)?, .committing(_, let deadline, _, _)?:
                    guard deadline == at else { continue }
                    connections[connection] = .closing
                    actions.append(.close(connection, .policyViolation, reason: "no join within the join timeout"))
                default:
                    continue
                }
            case .gracePeriod(let sessionID, let pid):
                guard let member = sessions[sessionID]?.members[pid], member.connection == nil,
                    member.graceDeadline == at
                else { continue }
                if configuration.sharedRoster {
                    releaseHostedMember(pid, from: sessionID, reason: .disconnected, into: &actions)
                } else {
                    removeMember(pid, from: sessionID, reason: .disconnected, into: &actions)
                }
            }
        }
        return actions
    }

    // MARK: Roster changes shared by every path

    /// Sends a roster event to every member with a socket on this node, optionally leaving
    /// one out. In multi-node mode this is also where events from other nodes arrive.
    mutating func deliver(_ event: RosterEvent, excluding excluded: ConnectionID? = nil, into actions: inout [HubAction]) {
        remember(event)
        let recipients = connectedMembers(of: event.sessionID, excluding: excluded)
        if !recipients.isEmpty {
            actions.append(.send(.event(event), to: recipients))
        }
    }

    /// Keeps the event for replay. Mutated in place through the dictionary: a copy of the
    /// session would make the append copy the whole history.
    mutating func remember(_ event: RosterEvent) {
        let limit = configuration.eventHistoryLimit
        sessions[event.sessionID]?.remember(event, limit: limit)
    }

    func connectedMembers(of sessionID: SessionID, excluding excluded: ConnectionID? = nil) -> [ConnectionID] {
        guard let recipients = sessions[sessionID]?.recipients else { return [] }
        guard let excluded else { return recipients }
        return recipients.filter { $0 != excluded }
    }

    /// Rebuilds a session's recipients from its roster order (after a resume, which is rare).
    mutating func rebuildRecipients(of sessionID: SessionID) {
        guard let session = sessions[sessionID] else { return }
        sessions[sessionID]?.recipients = session.roster.participants.compactMap { session.members[$0.pid]?.connection }
    }

    /// Takes a participant out of its session. Everyone still connected hears of it, the
    /// participant included when it is being pushed out (`replaced`, `removed`), so that it
    /// learns why; its socket, if any, is then closed with `closeCode`.
    mutating func removeMember(
        _ pid: ParticipantID, from sessionID: SessionID, reason: LeaveReason,
        closeCode: CloseCode? = nil, notifyRemoved: Bool = true, into actions: inout [HubAction]
    ) {
        // In place through the dictionary, so that nothing copies the roster or history.
        guard let event = sessions[sessionID]?.roster.remove(pid, reason: reason) else { return }
        let removedConnection = sessions[sessionID]?.members.removeValue(forKey: pid)?.connection
        if let removedConnection { sessions[sessionID]?.recipients.removeAll { $0 == removedConnection } }
        remember(event)
        if sessions[sessionID]?.roster.isEmpty == true { sessions[sessionID] = nil }
        var recipients = connectedMembers(of: sessionID)
        if notifyRemoved, let removedConnection {
            recipients.append(removedConnection)
        }
        if !recipients.isEmpty {
            actions.append(.send(.event(event), to: recipients))
        }
        if let removedConnection, let closeCode {
            connections[removedConnection] = .closing
            actions.append(.close(removedConnection, closeCode, reason: reason.rawValue))
        }
    }

    /// Ends a session: every connected member is told why and closed.
    mutating func endSession(_ sessionID: SessionID, reason: SessionEndReason, closeCode: CloseCode, into actions: inout [HubAction]) {
        let recipients = connectedMembers(of: sessionID)
        sessions[sessionID] = nil
        guard !recipients.isEmpty else { return }
        actions.append(.send(.sessionEnded(sessionID: sessionID, reason: reason), to: recipients))
        for connection in recipients {
            connections[connection] = .closing
            actions.append(.close(connection, closeCode, reason: reason.rawValue))
        }
    }
}
