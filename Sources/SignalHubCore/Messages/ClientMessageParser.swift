/// The members of one client message's JSON object, looked up by name. A `[String:
/// JSONValue]` is one; the wire layer's view into jansson's tree is another, which converts
/// only the members asked for (a dictionary of every member cost more than the rest of a
/// state change's parsing).
public protocol ClientMessageFields {
    subscript(key: String) -> JSONValue? { get }
}

extension Dictionary: ClientMessageFields where Key == String, Value == JSONValue {}

/// Turns a parsed JSON value into a `ClientEnvelope`, or the `ProtocolError` to send back.
public enum ClientMessageParser {
    /// The longest `requestId` the hub accepts (PROTOCOL.md §3).
    public static let maxRequestIDLength = 64

    public static func parse(_ value: JSONValue) -> Result<ClientEnvelope, ProtocolError> {
        guard case .object(let fields) = value else {
            return .failure(ProtocolError(.validationError, "a message must be a JSON object"))
        }
        return parse(object: fields)
    }

    /// A message that is known to be a JSON object.
    public static func parse(object fields: some ClientMessageFields) -> Result<ClientEnvelope, ProtocolError> {
        // The requestId is read first so that even a rejected message's error carries it.
        var requestID: String?
        switch fields["requestId"] {
        case nil, .null?:
            break
        case .string(let id)? where id.count <= maxRequestIDLength:
            requestID = id
        default:
            return .failure(ProtocolError(.validationError, "requestId must be a string of at most \(maxRequestIDLength) characters"))
        }
        do throws(ProtocolError) {
            let message = try parseBody(fields)
            return .success(ClientEnvelope(requestID: requestID, message: message))
        } catch {
            var failure = error
            failure.requestID = requestID
            failure.refusesJoin = fields["type"] == .string("join")
            return .failure(failure)
        }
    }

    private static func parseBody(_ fields: some ClientMessageFields) throws(ProtocolError) -> ClientMessage {
        guard case .string(let type)? = fields["type"] else {
            throw ProtocolError(.validationError, "type must be a string")
        }
        switch type {
        case "join":
            return try parseJoin(fields)
        case "muteAudio": return .changeState(.muteAudio)
        case "unmuteAudio": return .changeState(.unmuteAudio)
        case "pauseVideo": return .changeState(.pauseVideo)
        case "resumeVideo": return .changeState(.resumeVideo)
        case "raiseHand": return .changeState(.raiseHand)
        case "lowerHand": return .changeState(.lowerHand)
        case "leave": return .leave
        case "sync": return .sync
        case "endSession": return .endSession
        case "ping":
            let ts = fields["ts"]
            if let ts, ts != .null, !ts.isNumber {
                throw ProtocolError(.validationError, "ping.ts must be a number")
            }
            return .ping(ts: ts == .null ? nil : ts)
        case "signal":
            let to = try pid(fields, "to")
            guard let data = fields["data"] else {
                throw ProtocolError(.validationError, "signal.data is required")
            }
            return .signal(to: to, data: data)
        case "muteParticipant":
            return .muteParticipant(try pid(fields, "pid"))
        case "removeParticipant":
            return .removeParticipant(try pid(fields, "pid"))
        default:
            throw ProtocolError(.validationError, "unknown message type")
        }
    }

    private static func parseJoin(_ fields: some ClientMessageFields) throws(ProtocolError) -> ClientMessage {
        let token: String
        switch fields["token"] {
        case nil, .null?:
            throw ProtocolError(.authTokenMissing, "join needs a call token")
        case .string(let value)?:
            guard !value.isEmpty else { throw ProtocolError(.authTokenMissing, "join needs a call token") }
            token = value
        default:
            throw ProtocolError(.validationError, "token must be a string")
        }
        let settings = try CallSettings(parsing: fields["settings"])
        var resume: ResumeRequest?
        if let raw = fields["resume"], raw != .null {
            guard case .object(let r) = raw,
                case .string(let pid)? = r["pid"], !pid.isEmpty,
                case .string(let resumeToken)? = r["resumeToken"],
                case .integer(let lastSeq)? = r["lastSeq"], lastSeq >= 0
            else {
                throw ProtocolError(.validationError, "resume must be {pid, resumeToken, lastSeq}")
            }
            resume = ResumeRequest(pid: ParticipantID(pid), resumeToken: resumeToken, lastSeq: UInt64(lastSeq))
        }
        return .join(token: token, settings: settings, resume: resume)
    }

    private static func pid(_ fields: some ClientMessageFields, _ key: String) throws(ProtocolError) -> ParticipantID {
        guard case .string(let raw)? = fields[key], !raw.isEmpty, raw.utf8.count <= 128 else {
            throw ProtocolError(.validationError, "\(key) must be a participant ID")
        }
        return ParticipantID(raw)
    }
}
