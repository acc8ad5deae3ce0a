import Logging
import SignalHubCore
import SignalHubRedis
import Synchronization

/// Whether both Redis connections (commands and bus) are up, reported to the core on each
/// change. The store is only usable with both: a command connection without the bus would
/// change rosters that this node never hears about.
final class StoreAvailability: Sendable {
    private struct State: ~Copyable {
        var commandsUp = false
        var busUp = false
        /// Monotonic ms since the command connection has been up without interruption.
        var upSince: Int?
        var resubscribe: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private let deliver: RedisRosterStore.Deliver
    private let logger: Logger
    private let endpoint: RedisEndpoint

    init(endpoint: RedisEndpoint, logger: Logger, deliver: @escaping RedisRosterStore.Deliver) {
        self.endpoint = endpoint
        self.logger = logger
        self.deliver = deliver
    }

    /// What to do when the command connection fails: bus messages may have been missed
    /// meanwhile, so the subscription starts over as well.
    func onCommandsLost(_ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.resubscribe = action }
    }

    /// Whether the command connection has been up for at least `ms`.
    func upFor(atLeast ms: Int) -> Bool {
        state.withLock { $0.upSince.map { RedisCommandLink.nowMs() - $0 >= ms } ?? false }
    }

    func changed(commands: Bool? = nil, bus: Bool? = nil) {
        let (wasUp, isUp, resubscribe) = state.withLock { s -> (Bool, Bool, (@Sendable () -> Void)?) in
            let before = s.commandsUp && s.busUp
            let lost = commands == false && s.commandsUp
            if let commands {
                s.commandsUp = commands
                s.upSince = commands ? RedisCommandLink.nowMs() : nil
            }
            if let bus { s.busUp = bus }
            return (before, s.commandsUp && s.busUp, lost ? s.resubscribe : nil)
        }
        resubscribe?()
        if isUp && !wasUp {
            logger.notice("redis reachable: reconciling this node's members", metadata: ["redis": "\(endpoint)"])
            deliver(.availability(.reconnected))
        } else if wasUp && !isUp {
            logger.warning("redis unreachable: refusing joins and roster changes until it is back", metadata: ["redis": "\(endpoint)"])
            deliver(.availability(.unavailable))
        }
    }
}
