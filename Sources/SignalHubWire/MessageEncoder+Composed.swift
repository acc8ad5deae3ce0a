import CJansson
import SignalHubCore

/// The hot messages, written piece by piece in the order `ServerMessageJSON` builds them:
/// roster events and acks (a state change's fan-out) and snapshots (every join).
/// Each returns false if jansson refused a piece; the caller then encodes the whole tree.
extension MessageEncoder {
    /// `{"type":"participant…","sessionId":…,"seq":…,"participant":{…}, …}`
    func writeRosterEvent(_ event: RosterEvent) -> Bool {
        switch event.kind {
        case .joined: writer.write(#"{"type":"participantJoined","sessionId":"#)
        case .updated: writer.write(#"{"type":"participantUpdated","sessionId":"#)
        case .left: writer.write(#"{"type":"participantLeft","sessionId":"#)
        }
        guard writer.write(string: event.sessionID.rawValue) else { return false }
        writer.write(#","seq":"#)
        writer.write(integer: Int64(event.seq))
        writer.write(#","participant":"#)
        guard writeParticipant(event.participant) else { return false }
        switch event.kind {
        case .joined:
            break
        case .updated(let changed, let by):
            writer.write(#","changed":["#)
            for (index, field) in changed.enumerated() {
                if index > 0 { writer.write(byte: UInt8(ascii: ",")) }
                guard writer.write(string: field.rawValue) else { return false }
            }
            writer.write(byte: UInt8(ascii: "]"))
            if let by {
                writer.write(#","by":"#)
                guard writer.write(string: by.rawValue) else { return false }
            }
        case .left(let reason):
            writer.write(#","reason":"#)
            guard writer.write(string: reason.rawValue) else { return false }
        }
        writer.write(byte: UInt8(ascii: "}"))
        return true
    }

    /// `{"type":"ack","requestId":…}`
    func writeAck(_ requestID: String?) -> Bool {
        writer.write(#"{"type":"ack""#)
        guard writeRequestID(requestID) else { return false }
        writer.write(byte: UInt8(ascii: "}"))
        return true
    }

    /// A participant's object: its cached unchanging fields, then the ones that change.
    func writeParticipant(_ participant: Participant) -> Bool {
        guard let head = fragments.head(for: participant, encode: encodeHead) else { return false }
        writer.write(head[...])
        writer.write(#","isAudioMuted":"#)
        writer.write(bool: participant.isAudioMuted)
        writer.write(#","isVideoPaused":"#)
        writer.write(bool: participant.isVideoPaused)
        writer.write(#","isHandRaised":"#)
        writer.write(bool: participant.isHandRaised)
        writer.write(#","joinedAt":"#)
        writer.write(integer: participant.joinedAt)
        writer.write(byte: UInt8(ascii: "}"))
        return true
    }

    /// jansson's object of the unchanging fields, without its closing brace.
    private func encodeHead(_ participant: Participant) -> [UInt8]? {
        var object = dump(ServerMessageJSON.participantHead(participant))
        guard object.last == UInt8(ascii: "}") else { return nil }
        object.removeLast()
        return object
    }

    /// `{"type":"joined",…}`: every member's object, most of them from the cache, so a
    /// joiner's snapshot of a large session costs little more than copying bytes.
    func writeJoined(_ reply: JoinedReply) -> Bool {
        writer.write(#"{"type":"joined""#)
        guard writeRequestID(reply.requestID) else { return false }
        writer.write(#","sessionId":"#)
        guard writer.write(string: reply.sessionID.rawValue) else { return false }
        writer.write(#","self":"#)
        guard writeParticipant(reply.selfParticipant) else { return false }
        writer.write(#","participants":"#)
        guard writeParticipants(reply.participants) else { return false }
        writer.write(#","seq":"#)
        writer.write(integer: Int64(reply.seq))
        writer.write(#","resumeToken":"#)
        guard writer.write(string: reply.resumeToken) else { return false }
        let settings = reply.settings
        writer.write(#","settings":{"sessionType":"#)
        guard writer.write(string: settings.sessionType.rawValue) else { return false }
        writer.write(#","layout":"#)
        guard writer.write(string: settings.layout.rawValue) else { return false }
        writer.write(#","startAudioMuted":"#)
        writer.write(bool: settings.startAudioMuted)
        writer.write(#","startVideoPaused":"#)
        writer.write(bool: settings.startVideoPaused)
        writer.write(#"},"heartbeat":{"intervalMs":"#)
        writer.write(integer: reply.heartbeat.intervalMs)
        writer.write(#","timeoutMs":"#)
        writer.write(integer: reply.heartbeat.timeoutMs)
        writer.write(#"},"resumed":"#)
        writer.write(bool: reply.resumed)
        writer.write(byte: UInt8(ascii: "}"))
        return true
    }

    /// `{"type":"roster","sessionId":…,"seq":…,"participants":[…]}`
    func writeRoster(sessionID: SessionID, seq: UInt64, participants: [Participant], requestID: String?) -> Bool {
        writer.write(#"{"type":"roster""#)
        guard writeRequestID(requestID) else { return false }
        writer.write(#","sessionId":"#)
        guard writer.write(string: sessionID.rawValue) else { return false }
        writer.write(#","seq":"#)
        writer.write(integer: Int64(seq))
        writer.write(#","participants":"#)
        guard writeParticipants(participants) else { return false }
        writer.write(byte: UInt8(ascii: "}"))
        return true
    }

    private func writeParticipants(_ list: [Participant]) -> Bool {
        writer.write(byte: UInt8(ascii: "["))
        for (index, participant) in list.enumerated() {
            if index > 0 { writer.write(byte: UInt8(ascii: ",")) }
            guard writeParticipant(participant) else { return false }
        }
        writer.write(byte: UInt8(ascii: "]"))
        return true
    }

    private func writeRequestID(_ requestID: String?) -> Bool {
        guard let requestID else { return true }
        writer.write(#","requestId":"#)
        return writer.write(string: requestID)
    }
}
