import Foundation

/// A pub/sub subscription to one channel on its own thread: every message's payload goes
/// to `onMessage` (on that thread) in the order Redis published them. A lost connection is
/// reported and retried; messages published meanwhile are lost, which the owner repairs
/// (`onStateChange(true)` comes only after the SUBSCRIBE is confirmed).
public final class RedisSubscription: @unchecked Sendable {
    private let configuration: RedisLinkConfiguration
    private let channel: String
    private let onMessage: @Sendable ([UInt8]) -> Void
    private let onStateChange: @Sendable (Bool) -> Void

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var stopping = false
    private var current: RedisConnection?

    public init(
        configuration: RedisLinkConfiguration, channel: String,
        onMessage: @escaping @Sendable ([UInt8]) -> Void, onStateChange: @escaping @Sendable (Bool) -> Void
    ) {
        self.configuration = configuration
        self.channel = channel
        self.onMessage = onMessage
        self.onStateChange = onStateChange
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "signalhub-redis-sub"
        thread.start()
    }

    public func stop() {
        condition.lock()
        stopping = true
        current?.interrupt()
        condition.broadcast()
        condition.unlock()
    }

    /// Drops the connection and subscribes again (the owner saw Redis fail elsewhere).
    public func reconnect() {
        condition.lock()
        current?.interrupt()
        condition.unlock()
    }

    private func run() {
        while !isStopping {
            do {
                // No read timeout: the subscription waits for messages indefinitely, and
                // TCP keepalive or `reconnect()` ends a dead connection.
                let connection = try RedisConnection(endpoint: configuration.endpoint, timeoutMs: configuration.connectTimeoutMs, readTimeoutMs: 0)
                condition.lock()
                current = connection
                let stop = stopping
                condition.unlock()
                if stop { break }
                _ = try connection.run([.command("SUBSCRIBE", channel)])
                onStateChange(true)
                defer { onStateChange(false) }
                while true {
                    let reply = try connection.readReply()
                    guard let parts = reply.array, parts.count == 3, parts[0].string == "message", case .bulk(let payload) = parts[2] else {
                        continue
                    }
                    onMessage(payload)
                }
            } catch {
                condition.lock()
                current = nil
                if !stopping { _ = condition.wait(until: Date(timeIntervalSinceNow: Double(configuration.reconnectDelayMs) / 1000)) }
                condition.unlock()
            }
        }
    }

    private var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }
}
