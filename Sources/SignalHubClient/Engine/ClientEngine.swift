import CLibWebSockets
import Foundation
import SignalHubLWS
import Synchronization

/// A libwebsockets client context served by one thread: many hub connections, HTTP
/// requests and timers, all driven from that thread. Thread-safe: hand work in with
/// `perform`, which runs it on the service thread with the `ClientLoop`.
public final class ClientEngine: Sendable {
    private let inbox = ClientInbox()
    private let stopped = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    private let configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Starts the service thread.
    public func start() async throws(ClientError) {
        let inbox = self.inbox
        let ok: Bool = await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                Self.run(inbox: inbox, configuration: configuration, started: continuation)
                let waiters = stopped.withLock { state in
                    state.done = true
                    defer { state.waiters = [] }
                    return state.waiters
                }
                waiters.forEach { $0.resume() }
            }
            thread.name = "signalhub-client"
            thread.stackSize = 8 << 20
            thread.start()
        }
        if !ok { throw .engineStopped }
    }

    /// Runs `work` on the service thread. Returns false if the engine has stopped.
    @discardableResult
    public func perform(_ work: @escaping @Sendable (ClientLoop) -> Void) -> Bool {
        inbox.post(work)
    }

    /// Closes every connection and stops the thread.
    public func shutdown() async {
        inbox.post { $0.stopping = true }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = stopped.withLock { state in
                if !state.done { state.waiters.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
    }

    private static func run(inbox: ClientInbox, configuration: Configuration, started: CheckedContinuation<Bool, Never>) {
        lws_set_log_level(Int32(LLL_ERR), nil)
        let eventLoop = LWSEventLoop()
        let loop = ClientLoop(inbox: inbox, eventLoop: eventLoop)
        let protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        let name = strdup(ClientLoop.protocolName)!
        protocols[0].name = UnsafePointer(name)
        protocols[0].callback = signalHubClientCallback
        protocols[0].rx_buffer_size = 16 * 1024
        defer {
            protocols.deinitialize(count: 2)
            protocols.deallocate()
            free(name)
        }
        var info = lws_context_creation_info()
        info.port = SHLWS_CONTEXT_PORT_NO_LISTEN
        // lws reads each socket into this one per-thread buffer (4 KiB by default): a busy
        // socket then costs a recv() per 4 KiB, and the hub a window update each time.
        info.pt_serv_buf_size = 64 * 1024
        info.protocols = UnsafePointer(protocols)
        // A hangup time of 0 turns lws's idle check off (a ping time of 0 would mean its
        // default); the context keeps the pointer, so the policy lives as long as it does.
        let noIdleCheck = UnsafeMutablePointer<lws_retry_bo_t>.allocate(capacity: 1)
        noIdleCheck.initialize(to: lws_retry_bo_t())
        noIdleCheck.pointee.secs_since_valid_ping = 1
        noIdleCheck.pointee.secs_since_valid_hangup = 0
        defer { noIdleCheck.deallocate() }
        if !configuration.lwsIdleCheck { info.retry_and_idle_policy = UnsafePointer(noIdleCheck) }
        info.options = SHLWS_OPTION_SSL_INIT
        info.user = Unmanaged.passUnretained(loop).toOpaque()
        let limit = shlws_raise_fd_limit(1 << 20)
        if configuration.reservedDescriptors > 0 { _ = shlws_reserve_descriptors(min(limit, UInt(configuration.reservedDescriptors))) }
        guard let context = eventLoop.createContext(&info) else {
            started.resume(returning: false)
            return
        }
        loop.context = context
        inbox.attach(context)
        started.resume(returning: true)
        while !loop.stopping {
            eventLoop.runOnce()
            loop.endOfTurn()
        }
        inbox.attach(nil)
        eventLoop.destroy(context)
        loop.context = nil
        withExtendedLifetime(loop) {}
    }
}
