import SignalHubCore

/// Reads hub frames back into `ServerMessage`s: the client side of the wire format. A
/// frame holds one message object or an array of them (PROTOCOL.md §3).
public enum ServerMessageParser {
    public struct Failure: Error, Hashable, Sendable {
        public let reason: String
    }

    public static func parseFrame(_ bytes: UnsafeRawBufferPointer) -> Result<[ServerMessage], Failure> {
        let parsed = JanssonView.parse(bytes) { root -> Result<[ServerMessage], Failure> in
            guard let items = root.items else {
                guard let message = message(root) else { return .failure(Failure(reason: "unreadable message")) }
                return .success([message])
            }
            var messages: [ServerMessage] = []
            messages.reserveCapacity(items.count)
            for item in items {
                guard let message = message(item) else { return .failure(Failure(reason: "unreadable message in batch")) }
                messages.append(message)
            }
            return .success(messages)
        }
        return parsed ?? .failure(Failure(reason: "not JSON"))
    }

    /// One message object, or nil when it is not one the protocol defines.
    static func message(_ value: JanssonView) -> ServerMessage? {
        guard let type = value["type"]?.string else { return nil }
        let requestID = value["requestId"]?.string
        switch type {
        case "joined":
            guard let session = sessionID(value), let me = value["self"].flatMap(participant),
                let list = participants(value["participants"]), let seq = value["seq"]?.unsigned,
                let resumeToken = value["resumeToken"]?.string
            else { return nil }
            let heartbeat = Heartbeat(
                intervalMs: value["heartbeat"]?["intervalMs"]?.int64 ?? 0, timeoutMs: value["heartbeat"]?["timeoutMs"]?.int64 ?? 0)
            let settings = (try? CallSettings(parsing: value["settings"]?.value)) ?? CallSettings()
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
                guard let names = value["changed"]?.items else { return nil }
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
            return .pong(ts: value["ts"]?.value, serverTime: value["serverTime"]?.int64 ?? 0, requestID: requestID)
        case "signal":
            guard let from = value["from"]?.string else { return nil }
            return .signal(from: ParticipantID(from), data: value["data"]?.value ?? .null)
        case "sessionEnded":
            guard let session = sessionID(value), let reason = value["reason"]?.string.flatMap(SessionEndReason.init(rawValue:)) else { return nil }
            return .sessionEnded(sessionID: session, reason: reason)
        default:
            return nil
        }
    }

    static func participant(_ value: JanssonView) -> Participant? {
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

    static func participants(_ value: JanssonView?) -> [Participant]? {
        guard let items = value?.items else { return nil }
        let list = items.compactMap(participant)
        return list.count == items.count ? list : nil
    }

    private static func sessionID(_ value: JanssonView) -> SessionID? {
        value["sessionId"]?.string.flatMap(SessionID.init(validating:))
    }
}
