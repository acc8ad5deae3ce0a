import CLibWebSockets
import Synchronization

/// Work handed to an lws service thread from other threads: `post` queues an item and
/// wakes the thread with `lws_cancel_service` (the one lws call that is safe from any
/// thread); the service thread `drain`s on `LWS_CALLBACK_EVENT_WAIT_CANCELLED`.
public final class WakeableInbox<Item: Sendable>: Sendable {
    private struct State: ~Copyable {
        var items: [Item] = []
        /// The lws context's address; an integer because raw pointers are not Sendable.
        var context: UInt?
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Called on the service thread once the context exists, and with nil before it goes:
    /// from then on, posts are refused.
    public func attach(_ context: OpaquePointer?) {
        state.withLock {
            $0.context = context.map { UInt(bitPattern: $0) }
            if context == nil { $0.closed = true }
        }
    }

    /// Returns false when the service thread has stopped and the item will never be seen.
    @discardableResult
    public func post(_ item: Item) -> Bool {
        state.withLock {
            guard !$0.closed else { return false }
            $0.items.append(item)
            // Under the lock, so the context cannot be destroyed between check and call.
            if let context = $0.context { lws_cancel_service(OpaquePointer(bitPattern: context)) }
            return true
        }
    }

    public func drain() -> [Item] {
        state.withLock { state in
            defer { state.items.removeAll(keepingCapacity: true) }
            return state.items
        }
    }
}
