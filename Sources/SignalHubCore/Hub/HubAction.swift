/// What the core asks its adapter to do, in order.
public enum HubAction: Sendable, Hashable {
    /// Encode the message once and queue the same bytes to every recipient.
    case send(ServerMessage, to: [ConnectionID])
    /// Close the socket with this code once what is queued to it has been written.
    case close(ConnectionID, CloseCode, reason: String)
    /// Verify this call token off the service thread and report back with
    /// `SignalingHub.callTokenVerified`. Reading from the socket may pause meanwhile.
    case verifyCallToken(ConnectionID, token: String)
    /// Multi-node mode: hand this change to the shared roster store; its outcome comes back
    /// through `SignalingHub.sharedInput`.
    case shared(SharedRosterCommand)
}
