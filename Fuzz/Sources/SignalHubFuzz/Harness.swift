import SignalHubCore
import SignalHubWire

/// Plays the adapter's part around one `SignalingHub`: a fake clock, sockets that open and
/// close, token verdicts, admin calls. Every action goes through `Checker`.
struct Harness {
    enum Operation: UInt8, CaseIterable {
        case open, close, advance, message, verify, adminEnd, adminRemove, adminMute, shutdown, resume, template
    }

    static let sessions = ["s0", "s1", "s2"].map { SessionID(validating: $0)! }

    var hub: SignalingHub
    var check: Checker
    var now = HubInstant(monotonicMs: 1_000_000, unixMs: 1_700_000_000_000)
    var nextID: UInt64 = 1
    /// Sockets the adapter has open, oldest first (including those the hub asked to close).
    var sockets: [ConnectionID] = []
    /// `verifyCallToken` requests not answered yet (their socket may be gone meanwhile).
    var pendingVerify: [ConnectionID] = []
    /// The identity a resume was sent for, used when its verdict comes.
    var resumeIdentity: [ConnectionID: CallIdentity] = [:]

    init(configurationByte byte: UInt8) {
        var configuration = HubConfiguration()
        configuration.gracePeriodMs = byte & 1 != 0 ? 0 : 5_000
        configuration.eventHistoryLimit = byte & 2 != 0 ? 0 : 6
        configuration.rateLimit = byte & 4 != 0 ? .unlimited : RateLimit(messagesPerSecond: 20, burst: 8, strikesBeforeClose: 3)
        configuration.maxParticipantsPerSession = 4
        configuration.maxFailedJoins = 3
        configuration.joinTimeoutMs = 10_000
        hub = SignalingHub(configuration: configuration, random: SplitMix64(state: 0x5167_4E41_4C48_5542))
        check = Checker(configuration: configuration)
    }

    mutating func run(_ chunk: ArraySlice<UInt8>) {
        guard let first = chunk.first else { return }
        let args = Array(chunk.dropFirst())
        func arg(_ index: Int) -> Int { index < args.count ? Int(args[index]) : 0 }
        let operation = Operation(rawValue: first % UInt8(Operation.allCases.count))!
        trace("\(operation) \(args.prefix(8)) at \(now.monotonicMs)")

        switch operation {
        case .open:
            let connection = ConnectionID(nextID)
            nextID += 1
            sockets.append(connection)
            hub.connectionOpened(connection, at: now)
        case .close:
            if let connection = socket(arg(0)) { close(connection) }
        case .advance:
            // The adapter finishes the closes the hub asked for, then time passes.
            for connection in sockets where check.closeAsked.contains(connection) { close(connection) }
            let ms = args.isEmpty ? 1_000 : Int64(arg(0) << 8 | arg(1)) * (arg(2) & 1 == 0 ? 1 : 100)
            now.monotonicMs += ms
            now.unixMs += ms
            apply(hub.tick(at: now))
        case .message:
            if let connection = socket(arg(0)) { deliver(Array(args.dropFirst()), from: connection) }
        case .verify:
            verify(args)
        case .adminEnd:
            let sessionID = Self.sessions[arg(0) % Self.sessions.count]
            admin(sessionID) { (hub: inout SignalingHub) throws(ProtocolError) in try hub.adminEndSession(sessionID) }
        case .adminRemove, .adminMute:
            let sessionID = Self.sessions[arg(0) % Self.sessions.count]
            let pid = participant(in: sessionID, arg(1)) ?? ParticipantID("p-nobody")
            admin(sessionID, pid) { (hub: inout SignalingHub) throws(ProtocolError) in
                try operation == .adminRemove ? hub.adminRemove(pid, from: sessionID) : hub.adminMute(pid, in: sessionID)
            }
        case .shutdown:
            apply(hub.shutdown())
        case .resume:
            resume(args)
        case .template:
            if let connection = socket(arg(0)) { deliver(Array(template(args).utf8), from: connection) }
        }
        check.verify(hub, now: now)
    }

    /// The end of a run: shut down, close every socket; nothing may be left behind.
    mutating func finish() {
        apply(hub.shutdown())
        for connection in sockets { close(connection) }
        check.verify(hub, now: now)
        guard hub.connectionCount == 0, hub.sessionCount == 0 else {
            violation("after shutdown and every close: \(hub.connectionCount) connections, \(hub.sessionCount) sessions")
        }
    }

    // MARK: Operations

    private func socket(_ index: Int) -> ConnectionID? {
        sockets.isEmpty ? nil : sockets[index % sockets.count]
    }

    private func participant(in sessionID: SessionID, _ index: Int) -> ParticipantID? {
        guard index & 0x80 == 0, let list = hub.roster(of: sessionID)?.participants, !list.isEmpty else { return nil }
        return list[index % list.count].pid
    }

    mutating func apply(_ actions: [HubAction]) {
        for action in actions { trace("    \(action)") }
        check.observe(actions)
        for case .verifyCallToken(let connection, _) in actions { pendingVerify.append(connection) }
    }

    /// The socket is gone: the adapter tells the hub once, and the hub must forget it.
    private mutating func close(_ connection: ConnectionID) {
        sockets.removeAll { $0 == connection }
        check.socketGone(connection, at: now)
        let actions = hub.connectionClosed(connection, at: now)
        apply(actions)
    }

    @discardableResult
    private mutating func deliver(_ bytes: [UInt8], from connection: ConnectionID) -> [HubAction] {
        let parsed = bytes.withUnsafeBytes { JSONDecoding.clientMessage($0) }
        let actions = hub.received(parsed, from: connection, at: now)
        apply(actions)
        return actions
    }

    /// Answers one pending token check: a failure, the identity a resume was sent for, or
    /// one of a few uids in one of a few sessions (so that duplicates and full sessions happen).
    private mutating func verify(_ args: [UInt8]) {
        guard !pendingVerify.isEmpty else { return }
        func arg(_ index: Int) -> Int { index < args.count ? Int(args[index]) : 0 }
        let connection = pendingVerify.remove(at: arg(0) % pendingVerify.count)
        let result: Result<CallIdentity, ProtocolError>
        if arg(1) & 0x80 != 0 {
            let codes: [ErrorCode] = [.authTokenInvalid, .tokenExpired, .authTokenMissing]
            result = .failure(ProtocolError(codes[arg(1) % codes.count], "token refused"))
        } else if arg(1) & 0x40 == 0, let identity = resumeIdentity[connection] {
            result = .success(identity)
        } else {
            let name = args.count > 4 ? String(decoding: args[4...], as: UTF8.self) : "User \(arg(1) % 5)"
            result = .success(CallIdentity(
                uid: "u\(arg(1) % 5)", name: name, avatar: arg(3) & 2 != 0 ? "https://example.com/\(name)" : nil,
                role: arg(3) & 1 != 0 ? .moderator : .participant, sessionID: Self.sessions[arg(2) % Self.sessions.count]))
        }
        resumeIdentity[connection] = nil
        apply(hub.callTokenVerified(result, for: connection, at: now))
    }

    /// Admin calls throw exactly when the session (or participant) does not exist.
    private mutating func admin(
        _ sessionID: SessionID, _ pid: ParticipantID? = nil, _ call: (inout SignalingHub) throws(ProtocolError) -> [HubAction]
    ) {
        let exists = hub.roster(of: sessionID).map { roster in pid.map { roster.participant($0) != nil } ?? true } ?? false
        do {
            apply(try call(&hub))
            if !exists { violation("admin call on missing \(sessionID)/\(pid?.rawValue ?? "-") succeeded") }
        } catch {
            if exists { violation("admin call on \(sessionID)/\(pid?.rawValue ?? "-") failed: \(error.code)") }
        }
    }

    /// Sends a `join` with `resume` for a participant a socket once joined as, with the
    /// `lastSeq` its client had reached (or a wrong resume token).
    private mutating func resume(_ args: [UInt8]) {
        func arg(_ index: Int) -> Int { index < args.count ? Int(args[index]) : 0 }
        let records = check.members.sorted { $0.key.rawValue < $1.key.rawValue }
        guard let connection = socket(arg(0)), !records.isEmpty else { return }
        let (old, member) = records[arg(1) % records.count]
        guard let view = check.views[old] ?? check.droppedViews[old], view.sessionID == member.sessionID else { return }
        let token = arg(2) & 1 == 0 ? member.resumeToken : "x" + member.resumeToken
        let json = #"{"type":"join","token":"t","resume":{"pid":"\#(member.pid)","resumeToken":"\#(token)","lastSeq":\#(view.seq)}}"#
        // Only a join the hub takes up (it asks for a token check) is pending with this view.
        guard deliver(Array(json.utf8), from: connection).contains(where: { $0 == .verifyCallToken(connection, token: "t") }) else { return }
        if check.views[connection] == nil { check.resumeViews[connection] = view }
        resumeIdentity[connection] = CallIdentity(
            uid: member.uid, name: "Resumed", avatar: nil, role: member.role, sessionID: member.sessionID)
    }

    /// A well-formed client message aimed at real participants: pids are random, so the
    /// fuzzer could hardly spell them itself.
    private func template(_ args: [UInt8]) -> String {
        func arg(_ index: Int) -> Int { index < args.count ? Int(args[index]) : 0 }
        let types = [
            "join", "muteAudio", "unmuteAudio", "pauseVideo", "resumeVideo", "raiseHand", "lowerHand", "leave",
            "sync", "ping", "signal", "muteParticipant", "removeParticipant", "endSession",
        ]
        let type = types[arg(1) % types.count]
        var fields = [#""type":"\#(type)""#]
        if arg(2) & 1 != 0 { fields.append(#""requestId":"r\#(arg(2))""#) }
        let sessionID = check.views[socket(arg(0)) ?? ConnectionID(0)]?.sessionID ?? Self.sessions[arg(3) % Self.sessions.count]
        let pid = participant(in: sessionID, arg(3))?.rawValue ?? "p-nobody"
        switch type {
        case "join":
            let kinds = ["VIDEO", "VOICE", "AUDIO"]
            fields.append(#""token":"t","settings":{"sessionType":"\#(kinds[arg(3) % 3])","startAudioMuted":\#(arg(3) & 4 != 0),"startVideoPaused":\#(arg(3) & 8 != 0)}"#)
        case "ping": fields.append(#""ts":\#(arg(3) * 1000)"#)
        case "signal": fields.append(#""to":"\#(pid)","data":{"sdp":"v=0","n":\#(arg(3))}"#)
        case "muteParticipant", "removeParticipant": fields.append(#""pid":"\#(pid)""#)
        default: break
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
