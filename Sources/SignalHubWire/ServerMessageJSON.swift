import CJansson
import SignalHubCore

/// PROTOCOL.md §3 "Hub to client", field by field.
enum ServerMessageJSON {
    typealias J = JanssonBuilder

    /// The whole message as a tree. The encoder writes the hot messages without one
    /// (`MessageEncoder+Composed`); this stays the reference their tests compare with.
    static func node(for message: ServerMessage) -> J.Node {
        switch message {
        case .joined(let reply):
            let node = typed("joined", requestID: reply.requestID)
            J.set(node, "sessionId", J.string(reply.sessionID.rawValue))
            J.set(node, "self", participant(reply.selfParticipant))
            J.set(node, "participants", participants(reply.participants))
            J.set(node, "seq", J.integer(Int64(reply.seq)))
            J.set(node, "resumeToken", J.string(reply.resumeToken))
            J.set(node, "settings", settings(reply.settings))
            let heartbeat = J.object()
            J.set(heartbeat, "intervalMs", J.integer(reply.heartbeat.intervalMs))
            J.set(heartbeat, "timeoutMs", J.integer(reply.heartbeat.timeoutMs))
            J.set(node, "heartbeat", heartbeat)
            J.set(node, "resumed", J.bool(reply.resumed))
            return node
        case .participantJoined(let event), .participantUpdated(let event), .participantLeft(let event):
            return rosterEvent(event)
        case .roster(let sessionID, let seq, let list, let requestID):
            let node = typed("roster", requestID: requestID)
            J.set(node, "sessionId", J.string(sessionID.rawValue))
            J.set(node, "seq", J.integer(Int64(seq)))
            J.set(node, "participants", participants(list))
            return node
        case .ack(let requestID):
            return typed("ack", requestID: requestID)
        case .left(let sessionID, let requestID):
            let node = typed("left", requestID: requestID)
            J.set(node, "sessionId", J.string(sessionID.rawValue))
            return node
        case .error(let error):
            let node = typed("error", requestID: error.requestID)
            J.set(node, "code", J.string(error.code.rawValue))
            J.set(node, "message", J.string(error.message))
            return node
        case .pong(let ts, let serverTime, let requestID):
            let node = typed("pong", requestID: requestID)
            if let ts { J.set(node, "ts", J.value(ts)) }
            J.set(node, "serverTime", J.integer(serverTime))
            return node
        case .signal(let from, let data):
            let node = typed("signal", requestID: nil)
            J.set(node, "from", J.string(from.rawValue))
            J.set(node, "data", J.value(data))
            return node
        case .sessionEnded(let sessionID, let reason):
            let node = typed("sessionEnded", requestID: nil)
            J.set(node, "sessionId", J.string(sessionID.rawValue))
            J.set(node, "reason", J.string(reason.rawValue))
            return node
        }
    }

    private static func typed(_ type: StaticString, requestID: String?) -> J.Node {
        let node = J.object()
        type.withUTF8Buffer { buffer in
            let string = json_stringn_nocheck(UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), buffer.count)
            J.set(node, "type", string!)
        }
        if let requestID { J.set(node, "requestId", J.string(requestID)) }
        return node
    }

    private static func rosterEvent(_ event: RosterEvent) -> J.Node {
        let node: J.Node
        switch event.kind {
        case .joined:
            node = typed("participantJoined", requestID: nil)
        case .updated:
            node = typed("participantUpdated", requestID: nil)
        case .left:
            node = typed("participantLeft", requestID: nil)
        }
        J.set(node, "sessionId", J.string(event.sessionID.rawValue))
        J.set(node, "seq", J.integer(Int64(event.seq)))
        J.set(node, "participant", participant(event.participant))
        switch event.kind {
        case .joined:
            break
        case .updated(let changed, let by):
            let list = J.array()
            for field in changed { J.append(list, J.string(field.rawValue)) }
            J.set(node, "changed", list)
            if let by { J.set(node, "by", J.string(by.rawValue)) }
        case .left(let reason):
            J.set(node, "reason", J.string(reason.rawValue))
        }
        return node
    }

    static func participants(_ list: [Participant]) -> J.Node {
        let array = J.array()
        for item in list { J.append(array, participant(item)) }
        return array
    }

    static func participant(_ p: Participant) -> J.Node {
        let node = participantHead(p)
        J.set(node, "isAudioMuted", J.bool(p.isAudioMuted))
        J.set(node, "isVideoPaused", J.bool(p.isVideoPaused))
        J.set(node, "isHandRaised", J.bool(p.isHandRaised))
        J.set(node, "joinedAt", J.integer(p.joinedAt))
        return node
    }

    /// The fields that never change while the participant is a member, in wire order.
    static func participantHead(_ p: Participant) -> J.Node {
        let node = J.object()
        J.set(node, "pid", J.string(p.pid.rawValue))
        J.set(node, "uid", J.string(p.uid))
        J.set(node, "name", J.string(p.name))
        if let avatar = p.avatar { J.set(node, "avatar", J.string(avatar)) }
        J.set(node, "role", J.string(p.role.rawValue))
        J.set(node, "sessionType", J.string(p.sessionType.rawValue))
        return node
    }

    static func settings(_ s: CallSettings) -> J.Node {
        let node = J.object()
        J.set(node, "sessionType", J.string(s.sessionType.rawValue))
        J.set(node, "layout", J.string(s.layout.rawValue))
        J.set(node, "startAudioMuted", J.bool(s.startAudioMuted))
        J.set(node, "startVideoPaused", J.bool(s.startVideoPaused))
        return node
    }
}
