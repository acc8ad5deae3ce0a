import CJansson
import SignalHubCore

/// Encodes client messages (the client side of PROTOCOL.md §3), so that the Swift client
/// and the load tool speak exactly what the hub's parser reads.
public enum ClientMessageEncoder {
    typealias J = JanssonBuilder

    public static func encode(_ envelope: ClientEnvelope, using encoder: MessageEncoder) -> OutboundFrame {
        encoder.frame(from: node(envelope))
    }

    static func node(_ envelope: ClientEnvelope) -> J.Node {
        let node = J.object()
        J.set(node, "type", J.string(typeName(envelope.message)))
        if let requestID = envelope.requestID { J.set(node, "requestId", J.string(requestID)) }
        switch envelope.message {
        case .join(let token, let settings, let resume):
            J.set(node, "token", J.string(token))
            J.set(node, "settings", ServerMessageJSON.settings(settings))
            if let resume {
                let object = J.object()
                J.set(object, "pid", J.string(resume.pid.rawValue))
                J.set(object, "resumeToken", J.string(resume.resumeToken))
                J.set(object, "lastSeq", J.integer(Int64(resume.lastSeq)))
                J.set(node, "resume", object)
            }
        case .ping(let ts):
            if let ts { J.set(node, "ts", J.value(ts)) }
        case .signal(let to, let data):
            J.set(node, "to", J.string(to.rawValue))
            J.set(node, "data", J.value(data))
        case .muteParticipant(let pid), .removeParticipant(let pid):
            J.set(node, "pid", J.string(pid.rawValue))
        case .changeState, .leave, .sync, .endSession:
            break
        }
        return node
    }

    public static func typeName(_ message: ClientMessage) -> String {
        switch message {
        case .join: return "join"
        case .changeState(let change):
            switch change {
            case .muteAudio: return "muteAudio"
            case .unmuteAudio: return "unmuteAudio"
            case .pauseVideo: return "pauseVideo"
            case .resumeVideo: return "resumeVideo"
            case .raiseHand: return "raiseHand"
            case .lowerHand: return "lowerHand"
            }
        case .leave: return "leave"
        case .sync: return "sync"
        case .ping: return "ping"
        case .signal: return "signal"
        case .muteParticipant: return "muteParticipant"
        case .removeParticipant: return "removeParticipant"
        case .endSession: return "endSession"
        }
    }
}
