import SignalHubClient
import SignalHubCore
import SignalHubWire

/// One simulated member: its socket, its roster replica, and what it measured.
final class LoadParticipant: ClientSocketDelegate {
    let index: Int
    let session: LoadSession
    let joinFrame: OutboundFrame
    unowned let driver: LoadDriver
    var socket: ClientSocket?
    var pid: ParticipantID?
    /// The full roster, for the members that keep one (`--track-rosters`).
    var replica: RosterReplica?
    /// The seq of the last event seen: every member tracks this, replica or not.
    var seq: UInt64 = 0
    var awaitingSnapshot = false
    var connectStartedUs: Int64 = 0
    var joined = false
    var closed = false
    /// The state this member last asked for: each toggle flips it, so each one is an event.
    var wantsMuted = false
    var isSender = false
    var seqGaps = 0

    init(index: Int, session: LoadSession, joinFrame: OutboundFrame, driver: LoadDriver) {
        self.index = index
        self.session = session
        self.joinFrame = joinFrame
        self.driver = driver
    }

    func socketDidOpen(_ socket: ClientSocket) {
        driver.participantOpened(self, latencyUs: MonotonicClock.microseconds() - connectStartedUs)
        socket.send(joinFrame)
    }

    func socket(_ socket: ClientSocket, didReceive frame: UnsafeRawBufferPointer) {
        let now = MonotonicClock.microseconds()
        guard case .success(let messages) = ServerMessageParser.parseFrame(frame) else {
            driver.count(error: "unreadable frame")
            return
        }
        for message in messages { handle(message, at: now) }
    }

    func socketDidClose(_ socket: ClientSocket, code: UInt16?, error: String?) {
        closed = true
        self.socket = nil
        driver.participantClosed(self, code: code, error: error)
    }

    /// Sends the next mute or unmute and notes when, so receivers can time its fan-out.
    func toggle(at now: Int64) {
        guard let socket, joined, let pid else { return }
        wantsMuted.toggle()
        session.sent(by: pid, at: now)
        socket.send(wantsMuted ? driver.muteFrame : driver.unmuteFrame)
    }

    private func handle(_ message: ServerMessage, at now: Int64) {
        switch message {
        case .joined(let reply):
            pid = reply.selfParticipant.pid
            replica?.reset(seq: reply.seq, participants: reply.participants)
            seq = reply.seq
            joined = true
            driver.participantJoined(self, latencyUs: now - connectStartedUs)
        case .participantJoined(let event), .participantUpdated(let event), .participantLeft(let event):
            if awaitingSnapshot || event.seq <= seq { return }
            guard event.seq == seq + 1 else {
                seqGaps += 1
                awaitingSnapshot = true
                socket?.send(driver.syncFrame)
                return
            }
            seq = event.seq
            _ = replica?.apply(event)
            if case .updated = event.kind {
                driver.delivered(event, to: self, at: now)
            }
        case .roster(_, let snapshotSeq, let participants, _):
            replica?.reset(seq: snapshotSeq, participants: participants)
            seq = snapshotSeq
            awaitingSnapshot = false
        case .error(let error):
            driver.count(error: error.code.rawValue)
        default:
            break
        }
    }
}

/// What the members of one session share: when each toggle was sent, so that the first
/// receiver of an event can find its send time and every later receiver can reuse it.
final class LoadSession {
    let id: SessionID
    var members: [LoadParticipant] = []
    private var pendingSends: [ParticipantID: [Int64]] = [:]
    private var sendTimeBySeq: [UInt64: Int64] = [:]

    init(id: SessionID) { self.id = id }

    func sent(by pid: ParticipantID, at time: Int64) { pendingSends[pid, default: []].append(time) }

    /// The send time of the toggle that caused this event. Each toggle makes exactly one
    /// event, and one sender's events arrive in the order it sent them.
    func sendTime(of event: RosterEvent) -> Int64? {
        if let time = sendTimeBySeq[event.seq] { return time }
        guard var queue = pendingSends[event.participant.pid], !queue.isEmpty else { return nil }
        let time = queue.removeFirst()
        pendingSends[event.participant.pid] = queue
        sendTimeBySeq[event.seq] = time
        if sendTimeBySeq.count > 4_096 {  // every member has long seen those
            let oldest = event.seq &- 2_048
            sendTimeBySeq = sendTimeBySeq.filter { $0.key > oldest }
        }
        return time
    }
}
