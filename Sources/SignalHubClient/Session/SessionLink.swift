import SignalHubCore
import SignalHubWire

/// A `CallSession`'s service-thread half: it owns the socket, matches replies to requests
/// by `requestId`, keeps the roster replica, and yields events.
final class SessionLink: ClientSocketDelegate {
    let state: SessionState
    var socket: ClientSocket?
    private weak var loop: ClientLoop?
    private var joinRequest: (message: ClientMessage, reply: (Result<JoinedReply, ClientError>) -> Void)?
    private var pending: [String: (Result<ServerMessage, ClientError>) -> Void] = [:]
    private var nextRequest = 0
    private var replica = RosterReplica()
    private var continuation: AsyncStream<CallEvent>.Continuation?

    init(state: SessionState, loop: ClientLoop, continuation: AsyncStream<CallEvent>.Continuation) {
        self.state = state
        self.loop = loop
        self.continuation = continuation
    }

    func join(_ message: ClientMessage, reply: @escaping (Result<JoinedReply, ClientError>) -> Void) {
        joinRequest = (message, reply)
        if socket?.isOpen == true { sendJoin() }
    }

    /// Sends a message and calls `reply` with the hub's direct answer (or its error).
    func request(_ message: ClientMessage, reply: @escaping (Result<ServerMessage, ClientError>) -> Void) {
        guard let socket, socket.isOpen, let loop else { return reply(.failure(.closed(code: nil))) }
        nextRequest += 1
        let id = "r\(nextRequest)"
        pending[id] = reply
        socket.send(ClientMessageEncoder.encode(ClientEnvelope(requestID: id, message: message), using: loop.encoder))
    }

    private func sendJoin() {
        guard let message = joinRequest?.message, let socket, let loop else { return }
        socket.send(ClientMessageEncoder.encode(ClientEnvelope(requestID: "join", message: message), using: loop.encoder))
    }

    // MARK: ClientSocketDelegate

    func socketDidOpen(_ socket: ClientSocket) { sendJoin() }

    func socket(_ socket: ClientSocket, didReceive frame: UnsafeRawBufferPointer) {
        guard case .success(let messages) = ServerMessageParser.parseFrame(frame) else { return }
        for message in messages { handle(message) }
    }

    func socketDidClose(_ socket: ClientSocket, code: UInt16?, error: String?) {
        let failure: ClientError = error.map { .connectionFailed($0) } ?? .closed(code: code)
        joinRequest?.reply(.failure(failure))
        joinRequest = nil
        for (_, reply) in pending { reply(.failure(failure)) }
        pending = [:]
        continuation?.yield(.closed(code: code))
        continuation?.finish()
        continuation = nil
        self.socket = nil
    }

    // MARK: Messages

    private func handle(_ message: ServerMessage) {
        switch message {
        case .joined(let reply):
            replica.reset(seq: reply.seq, participants: reply.participants)
            publish()
            if let join = joinRequest {
                joinRequest = nil
                join.reply(.success(reply))
            }
        case .error(let error) where error.requestID == "join" && joinRequest != nil:
            joinRequest?.reply(.failure(.refused(error, httpStatus: nil)))
            joinRequest = nil
        case .participantJoined(let event), .participantUpdated(let event), .participantLeft(let event):
            apply(event)
        case .roster(_, let seq, let participants, let requestID):
            replica.reset(seq: seq, participants: participants)
            publish()
            continuation?.yield(.rosterReset(participants))
            if let requestID { answer(requestID, .success(message)) }
        case .ack(let requestID?), .left(_, let requestID?), .pong(_, _, let requestID?):
            answer(requestID, .success(message))
        case .error(let error):
            if let requestID = error.requestID { answer(requestID, .failure(.refused(error, httpStatus: nil))) }
        case .signal(let from, let data):
            continuation?.yield(.signal(from: from, data: data))
        case .sessionEnded(_, let reason):
            continuation?.yield(.sessionEnded(reason))
        case .ack, .left, .pong:
            break
        }
    }

    private func apply(_ event: RosterEvent) {
        switch replica.apply(event) {
        case .applied:
            publish()
            switch event.kind {
            case .joined: continuation?.yield(.participantJoined(event.participant))
            case .updated(let changed, let by): continuation?.yield(.participantUpdated(event.participant, changed: changed, by: by))
            case .left(let reason): continuation?.yield(.participantLeft(event.participant, reason: reason))
            }
        case .gap:
            // Events were lost: a snapshot puts the roster right again.
            request(.sync) { _ in }
        case .stale, .waiting:
            break
        }
    }

    private func answer(_ requestID: String, _ result: Result<ServerMessage, ClientError>) {
        pending.removeValue(forKey: requestID)?(result)
    }

    private func publish() {
        state.publish(seq: replica.seq, participants: replica.participants, gaps: replica.gapCount)
    }
}
