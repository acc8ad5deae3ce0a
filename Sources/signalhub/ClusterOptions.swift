import ArgumentParser
import Foundation
import SignalHubCluster
import SignalHubRedis

/// `serve` options for multi-node mode: nodes that share one Redis (and key prefix) share
/// their sessions' rosters.
struct ClusterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Join the cluster of hub nodes sharing this Redis: redis://[:password@]host[:port][/db]. Without it the hub runs alone, in memory.", valueName: "url"))
    var redis: String?
    @Option(help: ArgumentHelp("Redis password (overrides one in --redis; or set SIGNALHUB_REDIS_PASSWORD).", valueName: "password"))
    var redisPassword: String?
    @Option(help: ArgumentHelp("Prefix of every Redis key this cluster uses.", valueName: "prefix")) var redisPrefix = "signalhub:"
    @Option(help: ArgumentHelp("This node's unique name in the cluster (default: host name, process ID and a random suffix).", valueName: "id"))
    var nodeId: String?
    @Option(help: ArgumentHelp("A node silent this long counts as dead: the others remove its participants (disconnected) within 1.25 times this.", valueName: "seconds"))
    var nodeTimeout: Double = 10

    func validate() throws {
        guard let redis else { return }
        guard RedisEndpoint(url: redis) != nil else { throw ValidationError("--redis must look like redis://host:port") }
        guard !redisPrefix.isEmpty, !redisPrefix.contains(where: \.isWhitespace) else {
            throw ValidationError("--redis-prefix must be non-empty, without spaces")
        }
        guard nodeTimeout >= 0.5 else { throw ValidationError("--node-timeout must be at least 0.5") }
        if let nodeId, nodeId.isEmpty || nodeId.contains(where: \.isWhitespace) {
            throw ValidationError("--node-id must be non-empty, without spaces")
        }
    }

    func configuration() -> ClusterConfiguration? {
        guard let redis, var endpoint = RedisEndpoint(url: redis) else { return nil }
        if let password = redisPassword ?? ProcessInfo.processInfo.environment["SIGNALHUB_REDIS_PASSWORD"] {
            endpoint.password = password
        }
        var configuration = ClusterConfiguration(redis: RedisLinkConfiguration(endpoint: endpoint), nodeID: nodeId ?? Self.defaultNodeID())
        configuration.keyPrefix = redisPrefix
        configuration.nodeTimeoutMs = Int((nodeTimeout * 1000).rounded())
        return configuration
    }

    private static func defaultNodeID() -> String {
        var generator = SystemRandomNumberGenerator()
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "node"
        return "\(host)-\(getpid())-\(String(generator.next() & 0xFFFF_FFFF, radix: 16))"
    }
}
