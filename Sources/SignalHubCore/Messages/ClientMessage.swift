/// A message from a client, validated (PROTOCOL.md §3, "Client to hub").
public enum ClientMessage: Sendable, Hashable {
    case join(token: String, settings: CallSettings, resume: ResumeRequest?)
    case changeState(StateChange)
    case leave
    case sync
    case ping(ts: JSONValue?)
    case signal(to: ParticipantID, data: JSONValue)
    case muteParticipant(ParticipantID)
    case removeParticipant(ParticipantID)
    case endSession
}

/// The `resume` object of a `join`.
public struct ResumeRequest: Sendable, Hashable {
    public let pid: ParticipantID
    public let resumeToken: String
    public let lastSeq: UInt64

    public init(pid: ParticipantID, resumeToken: String, lastSeq: UInt64) {
        self.pid = pid
        self.resumeToken = resumeToken
        self.lastSeq = lastSeq
    }
}

/// A client message with the `requestId` the hub copies into its direct reply.
public struct ClientEnvelope: Sendable, Hashable {
    public let requestID: String?
    public let message: ClientMessage

    public init(requestID: String?, message: ClientMessage) {
        self.requestID = requestID
        self.message = message
    }
}
