import Foundation

/// A connection to Redis on its own thread: callers queue batches of commands without
/// blocking, and the thread pipelines whatever is queued, then hands each batch's replies
/// to its completion (on the link's thread). While Redis is away, batches fail at once
/// with `RedisError.notConnected`, and the thread keeps trying to reconnect.
public final class RedisCommandLink: @unchecked Sendable {
    public typealias Completion = @Sendable (Result<[RedisValue], RedisError>) -> Void

    private struct Job {
        let commands: [RedisCommand]
        let completion: Completion
    }

    private let configuration: RedisLinkConfiguration
    private let scripts: [RedisScript]
    private let tickIntervalMs: Int
    private let onTick: @Sendable (RedisConnection) throws(RedisError) -> Void
    private let onStateChange: @Sendable (Bool) -> Void

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var connected = false
    private var stopping = false
    private var thread: Thread?

    /// `onTick` runs on the link's thread every `tickIntervalMs` while connected (heartbeats,
    /// housekeeping); `onStateChange` reports connected / lost.
    public init(
        configuration: RedisLinkConfiguration, scripts: [RedisScript], tickIntervalMs: Int,
        onTick: @escaping @Sendable (RedisConnection) throws(RedisError) -> Void,
        onStateChange: @escaping @Sendable (Bool) -> Void
    ) {
        self.configuration = configuration
        self.scripts = scripts
        self.tickIntervalMs = tickIntervalMs
        self.onTick = onTick
        self.onStateChange = onStateChange
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "signalhub-redis"
        self.thread = thread
        thread.start()
    }

    /// Runs what is queued, then stops the thread.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    public func submit(_ commands: [RedisCommand], completion: @escaping Completion) {
        condition.lock()
        guard connected, !stopping else {
            condition.unlock()
            return completion(.failure(.notConnected))
        }
        jobs.append(Job(commands: commands, completion: completion))
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            let stop = stopping
            condition.unlock()
            if stop { return }
            let connection: RedisConnection
            do {
                connection = try RedisConnection(
                    endpoint: configuration.endpoint, timeoutMs: configuration.connectTimeoutMs,
                    readTimeoutMs: configuration.commandTimeoutMs)
                try connection.load(scripts)
                try onTick(connection)
            } catch {
                waitBeforeReconnecting()
                continue
            }
            setConnected(true)
            let error = serve(connection)
            setConnected(false)
            if error == nil { return }  // stopped
            waitBeforeReconnecting()
        }
    }

    /// Runs batches until the connection fails (returns the error) or the link stops (nil).
    private func serve(_ connection: RedisConnection) -> RedisError? {
        var nextTick = Self.nowMs() + tickIntervalMs
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping && Self.nowMs() < nextTick {
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(nextTick - Self.nowMs()) / 1000))
            }
            let batch = jobs
            jobs.removeAll()
            let stop = stopping
            condition.unlock()

            if !batch.isEmpty {
                do {
                    let replies = try connection.run(batch.flatMap(\.commands))
                    var offset = 0
                    for job in batch {
                        job.completion(.success(Array(replies[offset..<offset + job.commands.count])))
                        offset += job.commands.count
                    }
                } catch {
                    batch.forEach { $0.completion(.failure(error)) }
                    return error
                }
            }
            if stop { return nil }
            if Self.nowMs() >= nextTick {
                nextTick = Self.nowMs() + tickIntervalMs
                do throws(RedisError) { try onTick(connection) } catch { return error }
            }
        }
    }

    private func setConnected(_ value: Bool) {
        condition.lock()
        connected = value
        let failed = value ? [] : jobs
        if !value { jobs.removeAll() }
        condition.unlock()
        failed.forEach { $0.completion(.failure(.notConnected)) }
        onStateChange(value)
    }

    private func waitBeforeReconnecting() {
        condition.lock()
        if !stopping { _ = condition.wait(until: Date(timeIntervalSinceNow: Double(configuration.reconnectDelayMs) / 1000)) }
        condition.unlock()
    }

    public static func nowMs() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }
}
