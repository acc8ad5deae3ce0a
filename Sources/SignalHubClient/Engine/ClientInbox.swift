import SignalHubLWS

/// Work for the client's service thread from other threads.
typealias ClientInbox = WakeableInbox<@Sendable (ClientLoop) -> Void>

extension ClientLoop {
    func drainInbox() {
        for work in inbox.drain() { work(self) }
    }
}
