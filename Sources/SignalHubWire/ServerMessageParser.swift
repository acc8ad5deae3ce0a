import SignalHubCore

/// Reads hub frames back into `ServerMessage`s: the client side of the wire format. A
/// frame holds one message object or an array of them (PROTOCOL.md §3).
public enum ServerMessageParser {
    public struct Failure: Error, Hashable, Sendable {
        public let reason: String
    }

    public static func parseFrame(_ bytes: UnsafeRawBufferPointer) -> Result<[ServerMessage], Failure> {
        switch JSONDecoding.parse(bytes) {
        case .failure: return .failure(Failure(reason: "not JSON"))
        case .success(.array(let items)):
            var messages: [ServerMessage] = []
            messages.reserveCapacity(items.count)
            for item in items {
                guard let message = message(item) else { return .failure(Failure(reason: "unreadable message in batch")) }
                messages.append(message)
            }
            return .success(messages)
        case .success(let value):
            guard let message = message(value) else { return .failure(Failure(reason: "unreadable message")) }
            return .success([message])
        }
    }

    /// One message object, or nil when it is not one the protocol defines.
    public static func message(_ value: JSONValue) -> ServerMessage? {
        guard case .string(let type)? = value["type"] else { return nil }
        let requestID = value["requestId"]?.string
        switch type {
        case "joined":
            guard let session = sessionID(value), let me = value["self"].flatMap(participant),
                let list = participants(value["participants"]), let seq = value["seq"]?.unsigned,
                let resumeToken = value["resumeToken"]?.string
            else { return nil }
            let heartbeat = Heartbeat(
                intervalMs: value["heartbeat"]?["intervalMs"]?.int64 ?? 0, timeoutMs: value["heartbeat"]?["timeoutMs"]?.int64 ?? 0)
            let settings = (try? CallSettings(parsing: value["settings"])) ?? CallSettings()
            return .joined(JoinedReply(
                sessionID: session, selfParticipant: me, participants: list, seq: seq, resumeToken: resumeToken,
                settings: settings, heartbeat: heartbeat, resumed: value["resumed"]?.bool ?? false, requestID: requestID))
        case "participantJoined", "participantUpdated", "participantLeft":
            guard let session = sessionID(value), let seq = value["seq"]?.unsigned, let p = value["participant"].flatMap(participant) else { return nil }
            let kind: RosterEvent.Kind
            switch type {
            case "participantJoined":
                kind = .joined
            case "participantUpdated":
                guard case .array(let names)? = value["changed"] else { return nil }
                let changed = names.compactMap { $0.string.flatMap(ParticipantField.init(rawValue:)) }
                kind = .updated(changed: changed, by: value["by"]?.string.map(ParticipantID.init))
            default:
                guard let reason = value["reason"]?.string.flatMap(LeaveReason.init(rawValue:)) else { return nil }
                kind = .left(reason)
            }
            return .event(RosterEvent(sessionID: session, seq: seq, participant: p, kind: kind))
        case "roster":
            guard let session = sessionID(value), let seq = value["seq"]?.unsigned, let list = participants(value["participants"]) else { return nil }
            return .roster(sessionID: session, seq: seq, participants: list, requestID: requestID)
        case "ack":
            return .ack(requestID: requestID)
        case "left":
            guard let session = sessionID(value) else { return nil }
            return .left(sessionID: session, requestID: requestID)
        case "error":
            guard let code = value["code"]?.string.flatMap(ErrorCode.init(rawValue:)) else { return nil }
            return .error(ProtocolError(code, value["message"]?.string ?? "", requestID: requestID))
        case "pong":
            return .pong(ts: value["ts"], serverTime: value["serverTime"]?.int64 ?? 0, requestID: requestID)
        case "signal":
            guard let from = value["from"]?.string else { return nil }
            return .signal(from: ParticipantID(from), data: value["data"] ?? .null)
        case "sessionEnded":
            guard let session = sessionID(value), let reason = value["reason"]?.string.flatMap(SessionEndReason.init(rawValue:)) else { return nil }
            return .sessionEnded(sessionID: session, reason: reason)
        default:
            return nil
        }
    }

    static func participant(_ value: JSONValue) -> Participant? {
        guard let pid = value["pid"]?.string, let uid = value["uid"]?.string, let name = value["name"]?.string,
            let role = value["role"]?.string.flatMap(Role.init(rawValue:)),
            let type = value["sessionType"]?.string.flatMap(CallSettings.SessionType.init(rawValue:)),
            let muted = value["isAudioMuted"]?.bool, let paused = value["isVideoPaused"]?.bool,
            let hand = value["isHandRaised"]?.bool, let joinedAt = value["joinedAt"]?.int64
        else { return nil }
        return Participant(
            pid: ParticipantID(pid), uid: uid, name: name, avatar: value["avatar"]?.string, role: role, sessionType: type,
            isAudioMuted: muted, isVideoPaused: paused, isHandRaised: hand, joinedAt: joinedAt)
    }

    static func participants(_ value: JSONValue?) -> [Participant]? {
        guard case .array(let items)? = value else { return nil }
        let list = items.compactMap(participant)
        return list.count == items.count ? list : nil
    }

    private static func sessionID(_ value: JSONValue) -> SessionID? {
        value["sessionId"]?.string.flatMap(SessionID.init(validating:))
    }
}

extension JSONValue {
    var string: String? { if case .string(let s) = self { s } else { nil } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var int64: Int64? { if case .integer(let i) = self { i } else { nil } }
    var unsigned: UInt64? { if case .integer(let i) = self, i >= 0 { UInt64(i) } else { nil } }
}
