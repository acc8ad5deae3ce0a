import SignalHubCore
import SignalHubLWS

/// What other threads hand the hub's service thread.
enum InboxItem: Sendable {
    case callTokenVerified(ConnectionID, Result<CallIdentity, ProtocolError>)
    case httpAuthorized(HTTPExchangeID, Result<HTTPWork, ProtocolError>)
    case shared(SharedRosterInput)
    case stop
}

typealias Inbox = WakeableInbox<InboxItem>
