import CJansson
import SignalHubCore

/// The JSON that multi-node mode keeps in its shared store and sends between nodes. Roster
/// events use the client wire format unchanged (PROTOCOL.md), so a node parses what it
/// would send; the rest are small internal messages on the same bus.
public enum SharedRosterJSON {
    /// A bus message: what one node tells the others.
    public enum BusMessage: Sendable, Hashable {
        case event(RosterEvent)
        case sessionEnded(SessionID, SessionEndReason, seq: UInt64)
        case claimed(SessionID, ParticipantID, node: String)
        case signal(SessionID, from: ParticipantID, to: ParticipantID, data: JSONValue)
        case resync(SessionID)
    }

    public static func participant(_ participant: Participant) -> String {
        text(ServerMessageJSON.participant(participant))
    }

    public static func settings(_ settings: CallSettings) -> String {
        text(ServerMessageJSON.settings(settings))
    }

    public static func signal(sessionID: SessionID, from: ParticipantID, to: ParticipantID, data: JSONValue) -> String {
        let node = JanssonBuilder.object()
        JanssonBuilder.set(node, "type", JanssonBuilder.string("signal"))
        JanssonBuilder.set(node, "sessionId", JanssonBuilder.string(sessionID.rawValue))
        JanssonBuilder.set(node, "from", JanssonBuilder.string(from.rawValue))
        JanssonBuilder.set(node, "to", JanssonBuilder.string(to.rawValue))
        JanssonBuilder.set(node, "data", JanssonBuilder.value(data))
        return text(node)
    }

    /// This node's members, for the store's reconcile script.
    public static func hosted(_ sessions: [HostedSession]) -> String {
        let list = JanssonBuilder.array()
        for session in sessions {
            let item = JanssonBuilder.object()
            JanssonBuilder.set(item, "sid", JanssonBuilder.string(session.sessionID.rawValue))
            JanssonBuilder.set(item, "seq", JanssonBuilder.integer(Int64(clamping: session.seq)))
            let members = JanssonBuilder.array()
            for member in session.members {
                let entry = JanssonBuilder.object()
                JanssonBuilder.set(entry, "pid", JanssonBuilder.string(member.participant.pid.rawValue))
                JanssonBuilder.set(entry, "uid", JanssonBuilder.string(member.participant.uid))
                JanssonBuilder.set(entry, "p", JanssonBuilder.string(participant(member.participant)))
                JanssonBuilder.set(entry, "t", JanssonBuilder.string(member.resumeToken))
                JanssonBuilder.set(entry, "c", JanssonBuilder.string(settings(member.settings)))
                JanssonBuilder.append(members, entry)
            }
            JanssonBuilder.set(item, "members", members)
            JanssonBuilder.append(list, item)
        }
        return text(list)
    }

    public static func participant(parsing bytes: [UInt8]) -> Participant? {
        JanssonView.parse(bytes, ServerMessageParser.participant) ?? nil
    }

    public static func participants(parsing bytes: [UInt8]) -> [Participant]? {
        JanssonView.parse(bytes, ServerMessageParser.participants) ?? nil
    }

    public static func settings(parsing bytes: [UInt8]) -> CallSettings? {
        JanssonView.parse(bytes) { try? CallSettings(parsing: $0.value) } ?? nil
    }

    /// A JSON array of roster events (a resume's missed events).
    public static func events(parsing bytes: [UInt8]) -> [RosterEvent]? {
        JanssonView.parse(bytes) { root -> [RosterEvent]? in
            guard let items = root.items else { return nil }
            var events: [RosterEvent] = []
            for item in items {
                guard case .event(let event)? = busMessage(item) else { return nil }
                events.append(event)
            }
            return events
        } ?? nil
    }

    public static func busMessage(parsing bytes: [UInt8]) -> BusMessage? {
        JanssonView.parse(bytes, busMessage) ?? nil
    }

    private static func busMessage(_ value: JanssonView) -> BusMessage? {
        guard let type = value["type"]?.string, let sessionID = value["sessionId"]?.string.flatMap(SessionID.init(validating:)) else {
            return nil
        }
        switch type {
        case "participantJoined", "participantUpdated", "participantLeft":
            guard case .participantJoined(let event)? = ServerMessageParser.message(value).map(normalized) else { return nil }
            return .event(event)
        case "sessionEnded":
            guard let reason = value["reason"]?.string.flatMap(SessionEndReason.init(rawValue:)), let seq = value["seq"]?.unsigned else { return nil }
            return .sessionEnded(sessionID, reason, seq: seq)
        case "claimed":
            guard let pid = value["pid"]?.string, let node = value["node"]?.string else { return nil }
            return .claimed(sessionID, ParticipantID(pid), node: node)
        case "signal":
            guard let from = value["from"]?.string, let to = value["to"]?.string else { return nil }
            return .signal(sessionID, from: ParticipantID(from), to: ParticipantID(to), data: value["data"]?.value ?? .null)
        case "resync":
            return .resync(sessionID)
        default:
            return nil
        }
    }

    /// Every roster event message as one case, to unwrap the event whatever its kind.
    private static func normalized(_ message: ServerMessage) -> ServerMessage {
        switch message {
        case .participantJoined(let event), .participantUpdated(let event), .participantLeft(let event): return .participantJoined(event)
        default: return message
        }
    }

    private static func text(_ node: UnsafeMutablePointer<json_t>) -> String {
        defer { json_decref(node) }
        let size = json_dumpb(node, nil, 0, SHJ_MEASURE_FLAGS)
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes { _ = json_dumpb(node, $0.baseAddress?.assumingMemoryBound(to: CChar.self), size, SHJ_MEASURE_FLAGS) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
