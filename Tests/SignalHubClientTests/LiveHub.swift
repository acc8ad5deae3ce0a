import Logging
import SignalHubAuth
import SignalHubClient
import SignalHubCore
import SignalHubServer

/// A real hub on a free loopback port, in this process, and a client engine beside it.
struct LiveHub {
    static let secret = Array("client-tests-secret-at-least-32-bytes-long".utf8)
    let server: HubServer
    let tokens: TokenService
    let engine: ClientEngine
    let endpoint: HubEndpoint

    static func start(_ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> LiveHub {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.devMode = true
        configuration.staticDirectory = nil
        configure(&configuration)
        let tokens = try await TokenService(secret: secret)
        let server = HubServer(configuration: configuration, tokens: tokens, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let port = try await server.start()
        let engine = ClientEngine()
        try await engine.start()
        return LiveHub(server: server, tokens: tokens, engine: engine, endpoint: HubEndpoint(host: "127.0.0.1", port: port))
    }

    func stop() async {
        await engine.shutdown()
        server.stop()
        await server.waitUntilStopped()
    }

    /// Logs `uid` in through dev login and joins `session`.
    func join(_ uid: String, session: String, role: Role = .participant, settings: CallSettings = CallSettings()) async throws -> CallSession {
        let client = HubClient(engine: engine, endpoint: endpoint)
        try await client.login(uid: uid, name: uid.capitalized, role: role)
        let token = try await client.generateToken(sessionId: session)
        return try await client.joinSession(token: token, settings: settings)
    }
}

extension CallSession {
    /// Waits until the replica satisfies `condition` (events drive it; the ping round trip
    /// flushes anything in flight), failing after `attempts` round trips.
    func settle(attempts: Int = 200, until condition: ([Participant]) -> Bool) async throws -> Bool {
        for _ in 0..<attempts {
            if condition(roster) { return true }
            _ = try await ping()
        }
        return condition(roster)
    }
}
