import CHiredis

/// One blocking hiredis connection, used by one thread at a time. Commands are pipelined:
/// all of a batch are written before the first reply is read.
public final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>
    private var scriptSHAs: [String: String] = [:]

    /// Connects, logs in and selects the database. `timeoutMs` bounds the connect and,
    /// afterwards, every read and write (0: reads block until data or error).
    public init(endpoint: RedisEndpoint, timeoutMs: Int, readTimeoutMs: Int) throws(RedisError) {
        guard let context = shr_connect(endpoint.host, Int32(endpoint.port), timeoutMs) else {
            throw .connection("cannot allocate a hiredis context")
        }
        self.context = context
        // Once `context` is set, a throw here still runs deinit, which frees it.
        if shr_error(context) != 0 { throw .connection(String(cString: shr_error_text(context))) }
        _ = redisEnableKeepAlive(context)
        if readTimeoutMs > 0 { _ = shr_set_timeout(context, readTimeoutMs) }
        if let password = endpoint.password {
            try expectOK(run([.command("AUTH", password)])[0], "AUTH")
        }
        if endpoint.database != 0 {
            try expectOK(run([.command("SELECT", String(endpoint.database))])[0], "SELECT")
        }
    }

    deinit { redisFree(context) }

    /// Loads scripts so that later calls send only their SHA1.
    public func load(_ scripts: [RedisScript]) throws(RedisError) {
        let replies = try run(scripts.map { .command("SCRIPT", "LOAD", $0.source) })
        for (script, reply) in zip(scripts, replies) {
            guard case .bulk = reply, let sha = reply.string else { throw .reply("SCRIPT LOAD \(script.name): \(reply)") }
            scriptSHAs[script.name] = sha
        }
    }

    /// Sends every command, then reads every reply, in order. Redis errors come back as
    /// `.error` values; a failed connection throws, and the connection is then unusable.
    public func run(_ commands: [RedisCommand]) throws(RedisError) -> [RedisValue] {
        for command in commands { try append(command) }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands { replies.append(try readReply()) }
        // A Redis that forgot its scripts (restarted, SCRIPT FLUSH) gets each one in full.
        for (index, reply) in replies.enumerated() {
            guard case .error(let text) = reply, text.hasPrefix("NOSCRIPT"), case .script(let script, let arguments) = commands[index] else {
                continue
            }
            scriptSHAs[script.name] = nil
            try append(.script(script, arguments: arguments))
            replies[index] = try readReply()
        }
        return replies
    }

    /// The next reply the server pushes (pub/sub).
    public func readReply() throws(RedisError) -> RedisValue {
        var reply: UnsafeMutablePointer<redisReply>?
        guard shr_get_reply(context, &reply) == REDIS_OK, let reply else { throw failure() }
        defer { shr_free_reply(reply) }
        return RedisValue(reply)
    }

    /// Makes a read blocked on another thread fail at once.
    public func interrupt() { shr_interrupt(context) }

    private func append(_ command: RedisCommand) throws(RedisError) {
        let words: [[UInt8]]
        switch command {
        case .command(let arguments):
            words = arguments
        case .script(let script, let arguments):
            if let sha = scriptSHAs[script.name] {
                words = [Array("EVALSHA".utf8), Array(sha.utf8), Array("0".utf8)] + arguments
            } else {
                words = [Array("EVAL".utf8), Array(script.source.utf8), Array("0".utf8)] + arguments
            }
        }
        let status = withArgv(words) { argv, lengths in shr_append(context, Int32(words.count), argv, lengths) }
        guard status == REDIS_OK else { throw failure() }
    }

    private func failure() -> RedisError {
        let code = shr_error(context)
        return .connection(code == 0 ? "no reply" : String(cString: shr_error_text(context)))
    }

    private func expectOK(_ reply: RedisValue, _ what: String) throws(RedisError) {
        if case .error(let text) = reply { throw .reply("\(what): \(text)") }
    }
}

/// Hands hiredis an argv of byte strings (which may contain NUL) with their lengths.
private func withArgv<R>(_ words: [[UInt8]], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
    let pointers = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(words.count, 1))
    let lengths = UnsafeMutablePointer<Int>.allocate(capacity: max(words.count, 1))
    var storage: [UnsafeMutablePointer<CChar>] = []
    storage.reserveCapacity(words.count)
    defer {
        storage.forEach { $0.deallocate() }
        pointers.deallocate()
        lengths.deallocate()
    }
    for (index, word) in words.enumerated() {
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(word.count, 1))
        word.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            UnsafeMutableRawPointer(copy).copyMemory(from: base, byteCount: word.count)
        }
        storage.append(copy)
        pointers[index] = UnsafePointer(copy)
        lengths[index] = word.count
    }
    return body(pointers, UnsafePointer(lengths))
}
