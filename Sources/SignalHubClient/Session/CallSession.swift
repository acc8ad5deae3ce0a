import SignalHubCore

/// A joined call. Thread-safe: every method may be called from any task. Events arrive in
/// order on `events`; `roster` is always the replica rebuilt from snapshot plus events.
public final class CallSession: Sendable {
    public let sessionID: SessionID
    public let selfParticipant: Participant
    public let resumeToken: String
    public let events: AsyncStream<CallEvent>
    private let engine: ClientEngine
    private let link: LoopBound<SessionLink>
    private let state: SessionState

    init(reply: JoinedReply, events: AsyncStream<CallEvent>, engine: ClientEngine, link: LoopBound<SessionLink>, state: SessionState) {
        sessionID = reply.sessionID
        selfParticipant = reply.selfParticipant
        resumeToken = reply.resumeToken
        self.events = events
        self.engine = engine
        self.link = link
        self.state = state
    }

    /// The current roster, in join order.
    public var roster: [Participant] { state.current.participants }
    /// The seq of the last event in `roster`.
    public var seq: UInt64 { state.current.seq }
    /// Seq gaps seen (each one answered with a `sync`): zero in a healthy session.
    public var gapCount: Int { state.current.gaps }

    public func muteAudio() async throws(ClientError) { try await acked(.changeState(.muteAudio)) }
    public func unmuteAudio() async throws(ClientError) { try await acked(.changeState(.unmuteAudio)) }
    public func pauseVideo() async throws(ClientError) { try await acked(.changeState(.pauseVideo)) }
    public func resumeVideo() async throws(ClientError) { try await acked(.changeState(.resumeVideo)) }
    public func raiseHand() async throws(ClientError) { try await acked(.changeState(.raiseHand)) }
    public func lowerHand() async throws(ClientError) { try await acked(.changeState(.lowerHand)) }
    public func signal(to pid: ParticipantID, data: JSONValue) async throws(ClientError) { try await acked(.signal(to: pid, data: data)) }
    public func muteParticipant(_ pid: ParticipantID) async throws(ClientError) { try await acked(.muteParticipant(pid)) }
    public func removeParticipant(_ pid: ParticipantID) async throws(ClientError) { try await acked(.removeParticipant(pid)) }
    public func endSession() async throws(ClientError) { try await acked(.endSession) }

    /// Asks for a fresh snapshot; returns the roster it brought.
    @discardableResult
    public func sync() async throws(ClientError) -> [Participant] {
        guard case .roster(_, _, let participants, _) = try await request(.sync) else { throw .unexpectedReply("sync") }
        return participants
    }

    /// Round trip to the hub; returns the hub's clock (Unix ms).
    public func ping() async throws(ClientError) -> Int64 {
        guard case .pong(_, let serverTime, _) = try await request(.ping(ts: nil)) else { throw .unexpectedReply("ping") }
        return serverTime
    }

    /// Leaves the session; the hub answers `left` and closes the socket.
    public func leave() async throws(ClientError) {
        guard case .left = try await request(.leave) else { throw .unexpectedReply("leave") }
    }

    /// Sends any client message and returns the hub's direct reply.
    public func request(_ message: ClientMessage) async throws(ClientError) -> ServerMessage {
        let link = self.link
        let result: Result<ServerMessage, ClientError> = await withCheckedContinuation { continuation in
            let posted = engine.perform { loop in
                link.get(loop).request(message) { continuation.resume(returning: $0) }
            }
            if !posted { continuation.resume(returning: .failure(.engineStopped)) }
        }
        return try result.get()
    }

    private func acked(_ message: ClientMessage) async throws(ClientError) {
        guard case .ack = try await request(message) else { throw .unexpectedReply(String(describing: message)) }
    }
}
