import SignalHubCore
import Synchronization

/// The roster as the service thread last published it, readable from any thread.
final class SessionState: Sendable {
    private let snapshot = Mutex<(seq: UInt64, participants: [Participant], gaps: Int)>((0, [], 0))

    func publish(seq: UInt64, participants: [Participant], gaps: Int) {
        snapshot.withLock { $0 = (seq, participants, gaps) }
    }

    var current: (seq: UInt64, participants: [Participant], gaps: Int) { snapshot.withLock { $0 } }
}
