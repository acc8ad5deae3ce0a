import SignalHubClient
import SignalHubCore
import SignalHubWire

/// Runs a `LoadPlan` on the client engine's service thread: ramp, steady toggles, end.
/// Everything here happens on that one thread, so it needs no locks.
final class LoadDriver {
    let plan: LoadPlan
    /// Member i of each session connects to `endpoints[i % count]`, so with several hub
    /// nodes every session spans them all.
    let endpoints: [HubEndpoint]
    let hubPIDs: [Int32]
    private let loop: ClientLoop
    private let finish: (LoadReport) -> Void
    let muteFrame: OutboundFrame
    let unmuteFrame: OutboundFrame
    let syncFrame: OutboundFrame
    let leaveFrame: OutboundFrame

    private var participants: [LoadParticipant] = []
    private var sessions: [LoadSession] = []
    private var started = 0
    private var joinedCount = 0
    private var closedCount = 0
    private var rampStartUs: Int64 = 0
    private var phase = Phase.ramp
    private var report = LoadReport()
    private var joinLatency = LatencyRecorder()
    private var handshakeLatency = LatencyRecorder()
    /// Join latency by the tenth of the planned ramp in which the member connected: in
    /// sessions filled round-robin, later joins land in fuller sessions and cost more.
    private var joinLatencyByTenth = Array(repeating: LatencyRecorder(), count: 10)
    private var fanOutLatency = LatencyRecorder()
    private var steadyStartUs: Int64 = 0
    private var steadyStats: ProcessStats?
    private var toggles = 0
    private var senders: [LoadParticipant] = []
    private var deliveredDuringSteady = 0

    enum Phase { case ramp, waitingForRosters, steady, draining, ending, done }

    init(plan: LoadPlan, endpoints: [HubEndpoint], hubPIDs: [Int32], tokens: [String], loop: ClientLoop, finish: @escaping (LoadReport) -> Void) {
        self.plan = plan
        self.endpoints = endpoints
        self.hubPIDs = hubPIDs
        self.loop = loop
        self.finish = finish
        func frame(_ message: ClientMessage) -> OutboundFrame {
            ClientMessageEncoder.encode(ClientEnvelope(requestID: nil, message: message), using: loop.encoder)
        }
        muteFrame = frame(.changeState(.muteAudio))
        unmuteFrame = frame(.changeState(.unmuteAudio))
        syncFrame = frame(.sync)
        leaveFrame = frame(.leave)
        sessions = (0..<plan.sessions).map { LoadSession(id: SessionID(validating: "\(plan.sessionPrefix)-\($0)")!) }
        for (index, token) in tokens.enumerated() {
            let session = sessions[index % plan.sessions]
            let participant = LoadParticipant(
                index: index, session: session, joinFrame: frame(.join(token: token, settings: CallSettings(), resume: nil)), driver: self)
            participant.isSender = session.members.count < plan.sendersPerSession
            if session.members.count < plan.trackedRostersPerSession { participant.replica = RosterReplica() }
            session.members.append(participant)
            participants.append(participant)
        }
        senders = participants.filter(\.isSender)
    }

    func start() {
        rampStartUs = MonotonicClock.microseconds()
        report.hubAtStart = ProcessStats.read(pids: hubPIDs)
        report.loadAtStart = ProcessStats.ownProcess()
        rampTick()
    }

    // MARK: Ramp

    private func rampTick() {
        guard phase == .ramp else { return }
        let elapsed = Double(MonotonicClock.microseconds() - rampStartUs) / 1_000_000
        var due = min(participants.count, Int(elapsed * plan.rampPerSecond) + 1)
        if plan.maxPendingJoins > 0 { due = min(due, joinedCount + report.failedJoins + plan.maxPendingJoins) }
        while started < due {
            let participant = participants[started]
            let source = plan.sourceAddresses.isEmpty ? nil : plan.sourceAddresses[started % plan.sourceAddresses.count]
            participant.connectStartedUs = MonotonicClock.microseconds()
            // Tokens go round the sessions, so started / sessions is the member's place in
            // its session: consecutive members of a session land on different nodes.
            let endpoint = endpoints[(started / plan.sessions) % endpoints.count]
            participant.socket = loop.connect(to: endpoint, sourceAddress: source, delegate: participant)
            started += 1
        }
        report.peakPendingJoins = max(report.peakPendingJoins, started - joinedCount - report.failedJoins)
        if started < participants.count { loop.after(microseconds: 1_000) { [self] in rampTick() } }
    }

    /// The WebSocket is open: the TCP connect and HTTP upgrade part of the join latency.
    func participantOpened(_ participant: LoadParticipant, latencyUs: Int64) {
        handshakeLatency.record(microseconds: latencyUs)
    }

    func participantJoined(_ participant: LoadParticipant, latencyUs: Int64) {
        joinLatency.record(microseconds: latencyUs)
        let plannedRampUs = Double(participants.count) / plan.rampPerSecond * 1_000_000
        let tenth = Int(Double(participant.connectStartedUs - rampStartUs) / plannedRampUs * 10)
        joinLatencyByTenth[min(9, max(0, tenth))].record(microseconds: latencyUs)
        joinedCount += 1
        if joinedCount + report.failedJoins == participants.count, phase == .ramp {
            report.rampSeconds = Double(MonotonicClock.microseconds() - rampStartUs) / 1_000_000
            phase = .waitingForRosters
            waitForRosters()
        }
    }

    /// Every member's roster holds its whole session: the join storm is over.
    private func waitForRosters() {
        // Complete when every member has seen every join: each join is one event, so the
        // session's seq equals its number of joined members (full replicas must agree too).
        let complete = sessions.allSatisfy { session in
            let joined = session.members.filter(\.joined).count
            return session.members.allSatisfy { member in
                member.closed || !member.joined
                    || (member.seq == UInt64(joined) && (member.replica.map { $0.participants.count == joined } ?? true))
            }
        }
        let waited = Double(MonotonicClock.microseconds() - rampStartUs) / 1_000_000 - report.rampSeconds
        if !complete, waited > 60 {
            count(error: "rosters still incomplete 60 s after the ramp")
        }
        if complete || waited > 60 {
            report.rostersCompleteSeconds = Double(MonotonicClock.microseconds() - rampStartUs) / 1_000_000
            report.hubAtRostersComplete = ProcessStats.read(pids: hubPIDs)
            report.loadAtRostersComplete = ProcessStats.ownProcess()
            beginSteady()
        } else {
            loop.after(microseconds: 1_000) { [self] in waitForRosters() }
        }
    }

    // MARK: Steady phase

    private func beginSteady() {
        phase = .steady
        report.hubAtSteadyStart = ProcessStats.read(pids: hubPIDs)
        report.loadAtSteadyStart = ProcessStats.ownProcess()
        steadyStartUs = MonotonicClock.microseconds()
        if plan.closedLoop {
            for sender in senders { sender.toggle(at: steadyStartUs) }
        } else if plan.toggleRate > 0 {
            toggleTick()
        }
        loop.after(microseconds: Int64(plan.duration * 1_000_000)) { [self] in endSteady() }
    }

    private func toggleTick() {
        guard phase == .steady, !senders.isEmpty else { return }
        let now = MonotonicClock.microseconds()
        let due = Int(Double(now - steadyStartUs) / 1_000_000 * plan.toggleRate)
        while toggles < due {
            senders[toggles % senders.count].toggle(at: now)
            toggles += 1
        }
        loop.after(microseconds: 500) { [self] in toggleTick() }
    }

    func delivered(_ event: RosterEvent, to participant: LoadParticipant, at now: Int64) {
        guard let sendTime = participant.session.sendTime(of: event) else { return }
        if phase == .steady || phase == .draining {
            if event.participant.pid != participant.pid {
                fanOutLatency.record(microseconds: now - sendTime)
                if phase == .steady { deliveredDuringSteady += 1 }
            }
        }
        // Closed loop: a sender goes again when its own toggle has come back.
        if plan.closedLoop, phase == .steady, event.participant.pid == participant.pid {
            toggles += 1
            participant.toggle(at: now)
        }
    }

    private func endSteady() {
        let seconds = Double(MonotonicClock.microseconds() - steadyStartUs) / 1_000_000
        report.hubAtSteadyEnd = ProcessStats.read(pids: hubPIDs)
        report.loadAtSteadyEnd = ProcessStats.ownProcess()
        report.steadySeconds = seconds
        report.togglesSent = toggles
        report.eventsDelivered = deliveredDuringSteady
        phase = .draining
        // Let what is in flight arrive, then check that every member agrees.
        loop.after(microseconds: 500_000) { [self] in verifyAndEnd() }
    }

    // MARK: End

    private func verifyAndEnd() {
        for session in sessions {
            let live = session.members.filter { $0.joined && !$0.closed }
            guard let reference = live.first else { continue }
            // Everyone must be at the same seq; those with full rosters must hold the same one.
            report.inconsistentRosters += live.filter {
                $0.seq != reference.seq || ($0.replica != nil && reference.replica != nil && $0.replica?.participants != reference.replica?.participants)
            }.count
        }
        report.seqGaps = participants.reduce(0) { $0 + $1.seqGaps }
        phase = .ending
        let live = participants.filter { !$0.closed && $0.socket != nil }
        if live.isEmpty { return done() }
        for participant in live {
            switch plan.ending {
            case .leave: participant.socket?.send(leaveFrame)  // the hub answers `left` and closes
            case .drop: participant.socket?.abort()
            }
        }
    }

    func participantClosed(_ participant: LoadParticipant, code: UInt16?, error: String?) {
        closedCount += 1
        if phase == .ramp || phase == .waitingForRosters || phase == .steady {
            if !participant.joined {
                report.failedJoins += 1
                count(error: error ?? "closed before joining (\(code.map(String.init) ?? "no code"))")
                if phase == .ramp, joinedCount + report.failedJoins == participants.count {
                    report.rampSeconds = Double(MonotonicClock.microseconds() - rampStartUs) / 1_000_000
                    phase = .waitingForRosters
                    waitForRosters()
                }
            } else {
                report.unexpectedCloses += 1
                count(error: "closed mid-run (\(code.map(String.init) ?? "no code"))")
            }
        }
        if phase == .ending, closedCount == participants.count { done() }
    }

    func count(error: String) { report.errors[error, default: 0] += 1 }

    private func done() {
        guard phase != .done else { return }
        phase = .done
        report.plan = LoadReport.PlanSummary(plan)
        report.joined = joinedCount
        report.joinLatency = joinLatency.summary
        report.handshakeLatency = handshakeLatency.summary
        report.joinLatencyByRampTenth = joinLatencyByTenth.map(\.summary)
        report.fanOutLatency = fanOutLatency.summary
        let finish = self.finish
        participants = []
        sessions = []
        senders = []
        finish(report)
    }
}
