import ArgumentParser
import Foundation
import Logging
import SignalHubAuth
import SignalHubCore
import SignalHubServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the hub: WebSocket signaling at /v1/signal, the HTTP API, and the test page.",
        discussion: """
            Once listening, prints one line to stdout: "signalhub listening on http://HOST:PORT".
            SIGTERM or SIGINT stops it gracefully: members hear sessionEnded (serverShutdown).
            """
    )

    @Option(help: "Address to listen on (0.0.0.0 for every interface).") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one.") var port = 8080
    @Flag(help: "Dev mode: enables POST /v1/dev/login, and makes up a secret when none is given.") var dev = false
    @OptionGroup var secret: SecretOptions
    @Option(help: ArgumentHelp("Folder served at / (the browser test page).", valueName: "path")) var staticDir = "web-test-page"
    @Option(help: ArgumentHelp("Lifetime of dev-login auth tokens.", valueName: "seconds")) var authTokenTtl: Int64 = 86_400
    @Option(help: ArgumentHelp("Lifetime of minted call tokens.", valueName: "seconds")) var callTokenTtl: Int64 = 3_600
    @Option(help: ArgumentHelp("How long a dropped socket's participant waits for a resume before it leaves (0: at once).", valueName: "seconds"))
    var gracePeriod: Double = 10
    @Option(help: ArgumentHelp("How long a new socket has to join before it is closed with 1008.", valueName: "seconds"))
    var joinTimeout: Double = 10
    @Option(help: ArgumentHelp("Failed joins on one socket before it is closed with 1008.", valueName: "count")) var maxFailedJoins = 3
    @Option(help: ArgumentHelp("Largest client message; larger ones close the socket with 1009.", valueName: "bytes"))
    var maxMessageSize = 65_536
    @Option(help: ArgumentHelp("Largest HTTP request body.", valueName: "bytes")) var maxBodySize = 16_384
    @Option(help: ArgumentHelp("Most participants in one session.", valueName: "count")) var maxParticipants = 200
    @Option(help: ArgumentHelp("WebSocket ping after this much silence (whole seconds).", valueName: "seconds")) var pingInterval = 20
    @Option(help: ArgumentHelp("Drop a socket silent for this long (whole seconds).", valueName: "seconds")) var pingTimeout = 30
    @Option(help: ArgumentHelp("Roster events kept per session for replay on resume.", valueName: "count")) var resumeHistory = 256
    @Option(help: ArgumentHelp("Sustained messages per second allowed per socket (0: no limit).", valueName: "rate")) var rateLimit: Double = 50
    @Option(help: ArgumentHelp("Messages a socket may send at once above the sustained rate.", valueName: "count")) var rateBurst: Double = 100
    @Option(help: ArgumentHelp("Bytes queued to a slow reader before its backlog becomes one roster snapshot.", valueName: "bytes"))
    var maxQueuedBytes = 1 << 20
    @Option(help: ArgumentHelp("Open WebSocket connections at most.", valueName: "count")) var maxConnections = 100_000
    @Option(
        name: .customLong("coalesce-us"),
        help: ArgumentHelp("After a write, a socket waits this long for more before its next one (0: write every loop pass).", valueName: "microseconds"))
    var coalesceMicroseconds: Int64 = 0
    @Option(help: ArgumentHelp("Heap blocks this large or larger get pages of their own, freed at once (0: glibc's default).", valueName: "bytes"))
    var ownPagesFrom = 12_288
    @Option(
        name: .customLong("allowed-origin"),
        help: ArgumentHelp("A browser origin allowed to open sockets, e.g. https://app.example.com (repeatable; default: any).", valueName: "origin"))
    var allowedOrigins: [String] = []
    @Flag(help: "Serve the diagnostic echo socket at /v1/echo (for WebSocket conformance suites).") var echo = false
    @Option(help: ArgumentHelp("PEM certificate (chain): serve https and wss on the same port.", valueName: "path")) var tlsCert: String?
    @Option(help: ArgumentHelp("PEM private key for --tls-cert.", valueName: "path")) var tlsKey: String?
    @Option(help: ArgumentHelp("How long shutdown waits for sockets to close.", valueName: "seconds")) var shutdownTimeout: Double = 3
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel: Logger.Level = .info
    @OptionGroup(title: "Multi-node mode") var cluster: ClusterOptions

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        guard gracePeriod >= 0 else { throw ValidationError("--grace-period must be 0 or more") }
        guard joinTimeout > 0 else { throw ValidationError("--join-timeout must be more than 0") }
        guard maxFailedJoins >= 1 else { throw ValidationError("--max-failed-joins must be at least 1") }
        guard maxMessageSize >= 1_024 else { throw ValidationError("--max-message-size must be at least 1024") }
        guard maxBodySize >= 1_024 else { throw ValidationError("--max-body-size must be at least 1024") }
        guard maxParticipants >= 1 else { throw ValidationError("--max-participants must be at least 1") }
        guard pingInterval >= 1, pingTimeout > pingInterval else {
            throw ValidationError("--ping-interval must be at least 1 and --ping-timeout longer than it")
        }
        guard authTokenTtl > 0, callTokenTtl > 0 else { throw ValidationError("token lifetimes must be positive") }
        guard resumeHistory >= 0 else { throw ValidationError("--resume-history must be 0 or more") }
        guard rateLimit >= 0, rateBurst >= 1 || rateLimit == 0 else { throw ValidationError("--rate-limit must be 0 or more and --rate-burst at least 1") }
        guard maxQueuedBytes >= 16_384 else { throw ValidationError("--max-queued-bytes must be at least 16384") }
        guard (0...(32 << 20)).contains(ownPagesFrom) else { throw ValidationError("--own-pages-from must be 0-33554432") }
        guard (0...1_000_000).contains(coalesceMicroseconds) else { throw ValidationError("--coalesce-us must be 0-1000000") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        try cluster.validate()
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        for path in [tlsCert, tlsKey].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: path) {
            throw ValidationError("cannot read \(path)")
        }
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "signalhub")

        var secretBytes = try secret.load()
        if secretBytes == nil {
            guard dev else {
                throw ValidationError("no app secret: set SIGNALHUB_SECRET (at least 32 bytes) or pass --secret-file; --dev makes one up")
            }
            let generated = SecretOptions.generate()
            logger.notice("no secret given; generated one for this dev run. To mint tokens for it: export SIGNALHUB_SECRET=\(generated)")
            secretBytes = Array(generated.utf8)
        }
        let tokens = try await TokenService(secret: secretBytes!)

        let configuration = makeConfiguration()
        if let cluster = configuration.cluster {
            logger.notice("multi-node mode", metadata: ["redis": "\(cluster.redis.endpoint)", "prefix": "\(cluster.keyPrefix)", "node": "\(cluster.nodeID)"])
        }
        let server = HubServer(configuration: configuration, tokens: tokens, logger: logger)
        let boundPort = try await server.start()
        let shownHost = host.contains(":") ? "[\(host)]" : host
        // Scripts and tests wait for this exact line; write it in one unbuffered call.
        let scheme = tlsCert == nil ? "http" : "https"
        FileHandle.standardOutput.write(Data("signalhub listening on \(scheme)://\(shownHost):\(boundPort)\n".utf8))

        let signals = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { server.stop() }
            source.resume()
            return source
        }
        await server.waitUntilStopped()
        signals.forEach { $0.cancel() }
    }

    private func makeConfiguration() -> ServerConfiguration {
        var config = ServerConfiguration()
        config.host = host
        config.port = port
        config.devMode = dev
        config.staticDirectory = staticDir.isEmpty ? nil : staticDir
        config.authTokenTTLSeconds = authTokenTtl
        config.callTokenTTLSeconds = callTokenTtl
        config.maxMessageBytes = maxMessageSize
        config.maxHTTPBodyBytes = maxBodySize
        config.shutdownTimeoutMs = Int64(shutdownTimeout * 1000)
        config.hub.gracePeriodMs = Int64((gracePeriod * 1000).rounded())
        config.hub.joinTimeoutMs = Int64((joinTimeout * 1000).rounded())
        config.hub.maxFailedJoins = maxFailedJoins
        config.hub.maxParticipantsPerSession = maxParticipants
        config.hub.eventHistoryLimit = resumeHistory
        config.hub.rateLimit = RateLimit(messagesPerSecond: rateLimit, burst: rateBurst)
        config.maxQueuedBytesPerSocket = maxQueuedBytes
        config.ownPagesFromBytes = ownPagesFrom > 0 ? ownPagesFrom : nil
        config.maxConnections = maxConnections
        config.writeCoalescingMicroseconds = coalesceMicroseconds
        config.allowedOrigins = allowedOrigins
        config.echoEnabled = echo
        if let tlsCert, let tlsKey { config.tls = TLSFiles(certificatePath: tlsCert, privateKeyPath: tlsKey) }
        config.cluster = cluster.configuration()
        config.hub.heartbeat = Heartbeat(intervalMs: Int64(pingInterval) * 1000, timeoutMs: Int64(pingTimeout) * 1000)
        return config
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
