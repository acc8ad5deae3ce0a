import CLibWebSockets
import SignalHubCore
import Synchronization

/// Work handed to the service thread from other threads. `post` is the only cross-thread
/// entry into hub state: it queues the item and wakes lws with `lws_cancel_service`.
final class Inbox: Sendable {
    enum Item: Sendable {
        case callTokenVerified(ConnectionID, Result<CallIdentity, ProtocolError>)
        case httpAuthorized(HTTPExchangeID, Result<HTTPWork, ProtocolError>)
        case stop
    }

    private struct State: ~Copyable {
        var items: [Item] = []
        /// The lws context's address; kept as an integer because raw pointers are not Sendable.
        var context: UInt?
        var closed = false
    }

    private let state = Mutex(State())

    /// Called on the service thread once the context exists, and with nil before it goes.
    func attach(_ context: OpaquePointer?) {
        state.withLock {
            $0.context = context.map { UInt(bitPattern: $0) }
            if context == nil { $0.closed = true }
        }
    }

    func post(_ item: Item) {
        state.withLock {
            guard !$0.closed else { return }
            $0.items.append(item)
            // Under the lock, so the context cannot be destroyed between check and call.
            if let context = $0.context { lws_cancel_service(OpaquePointer(bitPattern: context)) }
        }
    }

    func drain() -> [Item] {
        state.withLock { state in
            defer { state.items.removeAll(keepingCapacity: true) }
            return state.items
        }
    }
}
