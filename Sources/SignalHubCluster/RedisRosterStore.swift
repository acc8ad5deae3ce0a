import Logging
import SignalHubCore
import SignalHubRedis
import SignalHubWire

/// The shared roster in Redis: runs the core's `SharedRosterCommand`s as Lua scripts on a
/// command connection, listens to the bus on a subscription, keeps this node's heartbeat,
/// and removes the participants of dead nodes. Everything it learns goes to `deliver`
/// (which hands it to the service thread); it never blocks its callers.
public final class RedisRosterStore: Sendable {
    public typealias Deliver = @Sendable (SharedRosterInput) -> Void

    let configuration: ClusterConfiguration
    let deliver: Deliver
    let logger: Logger
    private let link: RedisCommandLink
    private let subscription: RedisSubscription

    public init(configuration: ClusterConfiguration, logger: Logger, deliver: @escaping Deliver) {
        self.configuration = configuration
        self.deliver = deliver
        self.logger = logger
        let (prefix, node) = (configuration.keyPrefix, configuration.nodeID)
        let (ttl, history) = (configuration.nodeTimeoutMs, configuration.historyLimit)
        let availability = StoreAvailability(endpoint: configuration.redis.endpoint, logger: logger, deliver: deliver)
        subscription = RedisSubscription(
            configuration: configuration.redis, channel: prefix + "bus",
            onMessage: { payload in Self.busMessage(payload, node: node, logger: logger, deliver: deliver) },
            onStateChange: { up in availability.changed(bus: up) })
        link = RedisCommandLink(
            configuration: configuration.redis, scripts: RosterScripts.all, tickIntervalMs: configuration.tickIntervalMs,
            onTick: { connection throws(RedisError) in
                let beat = RedisCommand.script(RosterScripts.heartbeat, [prefix, node, String(ttl)])
                // A node that was cut off for a while gets one period to beat again before
                // anyone is reaped on this node's say-so.
                let reap = RedisCommand.script(RosterScripts.reap, [prefix, node, String(history)])
                let replies = try connection.run(availability.upFor(atLeast: ttl) ? [beat, reap] : [beat])
                if case .error(let text) = replies[0] { throw .reply(text) }
                if replies.count > 1, let removed = replies[1].integer, removed > 0 {
                    logger.notice("removed the participants of dead nodes", metadata: ["participants": "\(removed)"])
                }
            },
            onStateChange: { up in availability.changed(commands: up) })
        let subscription = self.subscription
        availability.onCommandsLost { subscription.reconnect() }
    }

    public func start() {
        link.start()
        subscription.start()
    }

    public func stop() {
        link.stop()
        subscription.stop()
    }

    var prefix: String { configuration.keyPrefix }
    var node: String { configuration.nodeID }
    var history: String { String(configuration.historyLimit) }

    /// Runs scripts; a lost connection or a Redis error becomes `ERROR_SERVICE_UNAVAILABLE`.
    func run(_ commands: [RedisCommand], _ completion: @escaping @Sendable (Result<[RedisValue], ProtocolError>) -> Void) {
        let logger = self.logger
        link.submit(commands) { result in
            switch result {
            case .success(let replies):
                if let failure = replies.first(where: { if case .error = $0 { true } else { false } }) {
                    logger.error("redis script failed", metadata: ["reply": "\(failure)"])
                    return completion(.failure(ProtocolError(.serviceUnavailable, "the shared roster store failed")))
                }
                completion(.success(replies))
            case .failure(let error):
                logger.debug("redis command not run", metadata: ["error": "\(error)"])
                completion(.failure(ProtocolError(.serviceUnavailable, "the shared roster store is unavailable; try again shortly")))
            }
        }
    }

    private static func busMessage(_ payload: [UInt8], node: String, logger: Logger, deliver: Deliver) {
        guard let message = SharedRosterJSON.busMessage(parsing: payload) else {
            return logger.warning("unreadable bus message", metadata: ["bytes": "\(payload.count)"])
        }
        switch message {
        case .event(let event): deliver(.event(event))
        case .sessionEnded(let sessionID, let reason, let seq): deliver(.sessionEnded(sessionID, reason, seq: seq))
        case .claimed(let sessionID, let pid, let claimer): if claimer != node { deliver(.claimed(sessionID, pid, node: claimer)) }
        case .signal(let sessionID, let from, let to, let data): deliver(.signal(sessionID, from: from, to: to, data: data))
        case .resync(let sessionID): deliver(.resync(sessionID))
        }
    }
}
