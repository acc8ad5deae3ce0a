@testable import SignalHubCore
import Testing

extension SessionID {
    static let main = SessionID(validating: "room-1")!
    static let other = SessionID(validating: "room-2")!
}

/// A successful join, as the harness saw it.
struct Member {
    let connection: ConnectionID
    let pid: ParticipantID
    let reply: JoinedReply
    /// Everything `callTokenVerified` returned for this join.
    let actions: [HubAction]
}

/// Wraps a `SignalingHub` with a seeded generator and a hand-driven clock, and records
/// every action it returns so that tests can ask what each connection received, in order.
struct HubHarness {
    static let unixOffsetMs: Int64 = 1_700_000_000_000

    var hub: SignalingHub
    /// The monotonic clock, in milliseconds; tests move it with `advance`.
    var monotonicMs: Int64 = 5_000
    private var nextConnection: UInt64 = 1
    /// Sockets the test closed from the client side.
    private(set) var droppedByClient: Set<ConnectionID> = []
    /// Every action the hub returned, in order.
    private(set) var log: [HubAction] = []

    init(configuration: HubConfiguration = HubConfiguration(), seed: UInt64 = 1) {
        hub = SignalingHub(configuration: configuration, random: SplitMix64(seed: seed))
    }

    init(seed: UInt64 = 1, _ configure: (inout HubConfiguration) -> Void) {
        var configuration = HubConfiguration()
        configure(&configuration)
        self.init(configuration: configuration, seed: seed)
    }

    var now: HubInstant { HubInstant(monotonicMs: monotonicMs, unixMs: monotonicMs + Self.unixOffsetMs) }

    // MARK: Inputs

    mutating func open() -> ConnectionID {
        let connection = ConnectionID(nextConnection)
        nextConnection += 1
        hub.connectionOpened(connection, at: now)
        return connection
    }

    @discardableResult
    mutating func send(_ message: ClientMessage, requestID: String? = nil, from connection: ConnectionID) -> [HubAction] {
        record(hub.received(.success(ClientEnvelope(requestID: requestID, message: message)), from: connection, at: now))
    }

    /// Sends a raw JSON value through `ClientMessageParser`, as the adapter does.
    @discardableResult
    mutating func sendJSON(_ value: JSONValue, from connection: ConnectionID) -> [HubAction] {
        record(hub.received(ClientMessageParser.parse(value), from: connection, at: now))
    }

    @discardableResult
    mutating func verify(_ connection: ConnectionID, _ result: Result<CallIdentity, ProtocolError>) -> [HubAction] {
        record(hub.callTokenVerified(result, for: connection, at: now))
    }

    @discardableResult
    mutating func close(_ connection: ConnectionID) -> [HubAction] {
        droppedByClient.insert(connection)
        return record(hub.connectionClosed(connection, at: now))
    }

    /// Multi-node mode: something from the shared store.
    @discardableResult
    mutating func shared(_ input: SharedRosterInput) -> [HubAction] {
        record(hub.sharedInput(input, at: now))
    }

    /// Moves the clock and runs the timers that came due.
    @discardableResult
    mutating func advance(by ms: Int64) -> [HubAction] {
        monotonicMs += ms
        return record(hub.tick(at: now))
    }

    /// Runs an admin call (or `shutdown`) on the hub and records what it returned.
    @discardableResult
    mutating func admin(_ call: (inout SignalingHub) throws -> [HubAction]) rethrows -> [HubAction] {
        let actions = try call(&hub)
        return record(actions)
    }

    @discardableResult
    mutating func record(_ actions: [HubAction]) -> [HubAction] {
        log.append(contentsOf: actions)
        return actions
    }

    static func identity(
        _ uid: String, role: Role = .participant, avatar: String? = nil, session: SessionID = .main
    ) -> CallIdentity {
        CallIdentity(uid: uid, name: "Name of \(uid)", avatar: avatar, role: role, sessionID: session)
    }

    /// Opens a socket (unless one is given), sends `join`, and answers the token check
    /// with `uid`'s identity. Fails the test unless the hub replies `joined`.
    mutating func join(
        _ uid: String, role: Role = .participant, avatar: String? = nil, session: SessionID = .main,
        settings: CallSettings = CallSettings(), requestID: String? = nil, on connection: ConnectionID? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Member {
        let connection = connection ?? open()
        let token = "call-token-\(uid)"
        let asked = send(.join(token: token, settings: settings, resume: nil), requestID: requestID, from: connection)
        #expect(asked == [.verifyCallToken(connection, token: token)], sourceLocation: sourceLocation)
        let actions = verify(connection, .success(Self.identity(uid, role: role, avatar: avatar, session: session)))
        let reply = try #require(actions.messages(to: connection).compactMap(\.joinedReply).first, sourceLocation: sourceLocation)
        return Member(connection: connection, pid: reply.selfParticipant.pid, reply: reply, actions: actions)
    }

    // MARK: What happened

    func deliveries(to connection: ConnectionID) -> [Delivery] { log.deliveries(to: connection) }
    func messages(to connection: ConnectionID) -> [ServerMessage] { log.messages(to: connection) }
    func closes(of connection: ConnectionID) -> [CloseCode] { log.closes(of: connection) }

    /// The joined reply of every socket that joined `session` and is still open, in order.
    func liveMembers(of session: SessionID = .main) -> [(connection: ConnectionID, reply: JoinedReply)] {
        (1..<nextConnection).map(ConnectionID.init).compactMap { connection in
            guard !droppedByClient.contains(connection), closes(of: connection).isEmpty,
                let reply = messages(to: connection).lazy.compactMap(\.joinedReply).first, reply.sessionID == session
            else { return nil }
            return (connection, reply)
        }
    }

    func participant(_ pid: ParticipantID, in session: SessionID = .main) -> Participant? {
        hub.roster(of: session)?.participant(pid)
    }

    func seq(of session: SessionID = .main) -> UInt64? { hub.roster(of: session)?.seq }
}

/// One thing a connection experienced: a message, or its close.
enum Delivery: Hashable {
    case message(ServerMessage)
    case close(CloseCode)
}

extension [HubAction] {
    func deliveries(to connection: ConnectionID) -> [Delivery] {
        compactMap { action in
            switch action {
            case .send(let message, let recipients) where recipients.contains(connection): return .message(message)
            case .close(connection, let code, _): return .close(code)
            default: return nil
            }
        }
    }

    func messages(to connection: ConnectionID) -> [ServerMessage] {
        deliveries(to: connection).compactMap { if case .message(let m) = $0 { m } else { nil } }
    }

    func closes(of connection: ConnectionID) -> [CloseCode] {
        deliveries(to: connection).compactMap { if case .close(let code) = $0 { code } else { nil } }
    }

    /// Every roster event in these actions, once each (a fan-out is one action).
    var rosterEvents: [RosterEvent] {
        compactMap { if case .send(let message, _) = $0 { message.rosterEvent } else { nil } }
    }
}

extension ServerMessage {
    var rosterEvent: RosterEvent? {
        switch self {
        case .participantJoined(let e), .participantUpdated(let e), .participantLeft(let e): return e
        default: return nil
        }
    }

    var joinedReply: JoinedReply? { if case .joined(let r) = self { r } else { nil } }
    var protocolError: ProtocolError? { if case .error(let e) = self { e } else { nil } }
}

extension RosterEvent {
    var leaveReason: LeaveReason? { if case .left(let reason) = kind { reason } else { nil } }
    var changed: [ParticipantField]? { if case .updated(let changed, _) = kind { changed } else { nil } }
    var by: ParticipantID? { if case .updated(_, let by) = kind { by } else { nil } }
    var isJoin: Bool { if case .joined = kind { true } else { false } }
}
