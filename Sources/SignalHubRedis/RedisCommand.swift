/// A Lua script run with EVALSHA; its SHA1 is learnt from SCRIPT LOAD on each connection,
/// and a NOSCRIPT answer (a restarted or flushed Redis) falls back to EVAL once.
public struct RedisScript: Sendable, Hashable {
    public let name: String
    public let source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}

/// One command: its arguments as bytes, or a script with its arguments.
public enum RedisCommand: Sendable, Hashable {
    case command([[UInt8]])
    case script(RedisScript, arguments: [[UInt8]])

    public static func command(_ words: String...) -> RedisCommand {
        .command(words.map { Array($0.utf8) })
    }

    public static func script(_ script: RedisScript, _ arguments: [String]) -> RedisCommand {
        .script(script, arguments: arguments.map { Array($0.utf8) })
    }
}
