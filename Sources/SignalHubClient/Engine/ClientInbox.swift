import CLibWebSockets
import Synchronization

/// Work for the client's service thread from other threads, woken by `lws_cancel_service`.
final class ClientInbox: Sendable {
    typealias Work = @Sendable (ClientLoop) -> Void

    private struct State: ~Copyable {
        var work: [Work] = []
        var context: UInt?
        var closed = false
    }

    private let state = Mutex(State())

    func attach(_ context: OpaquePointer?) {
        state.withLock {
            $0.context = context.map { UInt(bitPattern: $0) }
            if context == nil { $0.closed = true }
        }
    }

    /// Returns false when the engine has stopped and the work will never run.
    @discardableResult
    func post(_ work: @escaping Work) -> Bool {
        state.withLock {
            guard !$0.closed else { return false }
            $0.work.append(work)
            if let context = $0.context { lws_cancel_service(OpaquePointer(bitPattern: context)) }
            return true
        }
    }

    func drain() -> [Work] {
        state.withLock { state in
            defer { state.work.removeAll(keepingCapacity: true) }
            return state.work
        }
    }
}

extension ClientLoop {
    func drainInbox() {
        for work in inbox.drain() { work(self) }
    }
}
