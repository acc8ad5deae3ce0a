import CLibWebSockets
import Foundation
import Logging
import Prometheus
import SignalHubAuth
import SignalHubCore
import SignalHubLWS
import Synchronization

/// A running hub: one libwebsockets context, served by one thread that owns all hub state.
///
///     let server = HubServer(configuration: config, tokens: tokens, logger: logger)
///     let port = try await server.start()
///     ... server.stop(); await server.waitUntilStopped()
public final class HubServer: Sendable {
    public let configuration: ServerConfiguration
    private let tokens: TokenService
    private let logger: Logger
    private let metricsRegistry: PrometheusCollectorRegistry
    private let inbox = Inbox()
    private let stopSignal = StopSignal()

    public init(
        configuration: ServerConfiguration, tokens: TokenService, logger: Logger,
        metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) {
        self.configuration = configuration
        self.tokens = tokens
        self.logger = logger
        self.metricsRegistry = metricsRegistry
    }

    /// Starts the service thread and returns the port it listens on.
    public func start() async throws(HubServerError) -> Int {
        let (configuration, tokens, logger, registry, inbox, stopSignal) =
            (self.configuration, self.tokens, self.logger, self.metricsRegistry, self.inbox, self.stopSignal)
        let staticDirectory = Self.resolveStaticDirectory(configuration.staticDirectory, logger: logger)
        let started: Result<Int, HubServerError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                Self.serve(
                    configuration: configuration, staticDirectory: staticDirectory, tokens: tokens, logger: logger,
                    metrics: HubMetrics(registry: registry), inbox: inbox, started: continuation)
                stopSignal.fire()
            }
            thread.name = "signalhub-service"
            thread.stackSize = 8 << 20
            thread.start()
        }
        return try started.get()
    }

    /// Asks for a graceful stop: members hear `sessionEnded` (`serverShutdown`) and are
    /// closed with 1001. Safe from any thread.
    public func stop() { inbox.post(.stop) }

    public func waitUntilStopped() async { await stopSignal.wait() }

    // MARK: The service thread

    private static func serve(
        configuration: ServerConfiguration, staticDirectory: String?, tokens: TokenService, logger: Logger,
        metrics: HubMetrics, inbox: Inbox, started: CheckedContinuation<Result<Int, HubServerError>, Never>
    ) {
        lws_set_log_level(Int32(LLL_ERR | LLL_WARN), nil)
        if let threshold = configuration.ownPagesFromBytes, shlws_set_own_pages_threshold(Int32(clamping: threshold)) == 0 {
            logger.warning("the heap threshold for own pages was refused", metadata: ["bytes": "\(threshold)"])
        }
        let descriptors = shlws_raise_fd_limit(UInt(max(configuration.maxConnections * 2, 1 << 16)))
        if descriptors < UInt(configuration.maxConnections) {
            logger.warning("the descriptor limit is below --max-connections", metadata: ["limit": "\(descriptors)"])
        }
        // One growth of the kernel's descriptor table now instead of a stall of the service
        // thread at each doubling during a join storm (see shlws_reserve_descriptors).
        let reserved = min(descriptors, UInt(configuration.maxConnections) + 64)
        if shlws_reserve_descriptors(reserved) != 0 {
            logger.warning("could not reserve the descriptor table", metadata: ["descriptors": "\(reserved)", "errno": "\(errno)"])
        }
        let service = HubService(configuration: configuration, tokens: tokens, logger: logger, metrics: metrics, inbox: inbox)
        let resources = LWSContextResources(configuration: configuration, staticDirectory: staticDirectory)
        var info = lws_context_creation_info()
        info.port = Int32(configuration.port)
        info.iface = resources.iface
        info.protocols = UnsafePointer(resources.protocols)
        info.mounts = UnsafePointer(resources.mounts)
        info.retry_and_idle_policy = UnsafePointer(resources.retry)
        info.max_http_header_data = 8192
        info.options = SHLWS_SERVER_OPTIONS | (configuration.host.contains(":") ? 0 : SHLWS_OPTION_DISABLE_IPV6)
        if configuration.tls != nil {
            info.options |= SHLWS_OPTION_SSL_INIT
            info.ssl_cert_filepath = resources.certificatePath
            info.ssl_private_key_filepath = resources.privateKeyPath
        }
        info.user = Unmanaged.passUnretained(service).toOpaque()

        let eventLoop = LWSEventLoop()
        guard let context = eventLoop.createContext(&info) else {
            started.resume(returning: .failure(.cannotListen(host: configuration.host, port: configuration.port)))
            return
        }
        let vhost = lws_get_vhost_by_name(context, "default")
        service.context = context
        service.eventLoop = eventLoop
        let port = vhost.map { Int(lws_get_vhost_listen_port($0)) } ?? configuration.port
        inbox.attach(context)
        service.store?.start()
        service.timerFired()  // starts the keepalive sweeps
        logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)", "dev": "\(configuration.devMode)"])
        started.resume(returning: .success(port))

        while !service.isFinished {
            eventLoop.runOnce()
            service.flushDirtySockets()
        }
        inbox.attach(nil)
        eventLoop.destroy(context)
        withExtendedLifetime((service, resources)) {}
        logger.info("stopped")
    }

    private static func resolveStaticDirectory(_ path: String?, logger: Logger) -> String? {
        guard let path else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            logger.warning("static folder not found; the test page is not served", metadata: ["path": "\(path)"])
            return nil
        }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }
}

public enum HubServerError: Error, Hashable, CustomStringConvertible {
    case cannotListen(host: String, port: Int)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port): return "cannot listen on \(host):\(port) (in use, or not an address of this machine?)"
        }
    }
}

/// Lets any number of tasks wait for the service thread to end.
final class StopSignal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func fire() {
        let waiters = state.withLock { state in
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.fired { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
