/// Every error code of PROTOCOL.md, spelled as on the wire.
public enum ErrorCode: String, Sendable, Hashable, CaseIterable {
    case authTokenMissing = "ERROR_AUTH_TOKEN_MISSING"
    case authTokenInvalid = "ERROR_AUTH_TOKEN_INVALID"
    case tokenExpired = "ERROR_TOKEN_EXPIRED"
    case sessionIDMissing = "ERROR_SESSION_ID_MISSING"
    case validationError = "VALIDATION_ERROR"
    case notJoined = "ERROR_NOT_JOINED"
    case alreadyJoined = "ERROR_ALREADY_JOINED"
    case sessionFull = "ERROR_SESSION_FULL"
    case rateLimited = "ERROR_RATE_LIMITED"
    case forbidden = "ERROR_FORBIDDEN"
    case participantNotFound = "ERROR_PARTICIPANT_NOT_FOUND"
    case sessionNotFound = "ERROR_SESSION_NOT_FOUND"
    /// Beyond PROTOCOL.md (an addition): in multi-node mode the shared roster store is out
    /// of reach, so the hub cannot take joins or roster changes until it is back.
    case serviceUnavailable = "ERROR_SERVICE_UNAVAILABLE"
}

/// A refusal the hub reports to one client as an `error` message (or an HTTP error body).
public struct ProtocolError: Error, Sendable, Hashable {
    public var code: ErrorCode
    public var message: String
    /// The `requestId` of the message that failed, when it could be read.
    public var requestID: String?
    /// The refused message was a `join`: it counts toward the failed-join limit even when
    /// it never got as far as a token check.
    public var refusesJoin: Bool

    public init(_ code: ErrorCode, _ message: String, requestID: String? = nil, refusesJoin: Bool = false) {
        self.code = code
        self.message = message
        self.requestID = requestID
        self.refusesJoin = refusesJoin
    }
}

/// WebSocket close codes the hub uses (PROTOCOL.md §3).
public enum CloseCode: UInt16, Sendable, Hashable {
    case normal = 1000
    case goingAway = 1001
    case policyViolation = 1008
    case messageTooBig = 1009
    case replaced = 4001
    case removed = 4002
    case sessionEnded = 4003
}
