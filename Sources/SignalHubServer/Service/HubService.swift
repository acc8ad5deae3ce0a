import CLibWebSockets
import Logging
import SignalHubAuth
import SignalHubCluster
import SignalHubCore
import SignalHubLWS
import SignalHubWire

/// Everything the service thread owns: the roster core, the sockets and HTTP exchanges,
/// the encoder. Only lws callbacks on that thread touch it, so it takes no lock; other
/// threads reach it through the `Inbox`.
final class HubService {
    let configuration: ServerConfiguration
    let tokens: TokenService
    let logger: Logger
    let metrics: HubMetrics
    let inbox: Inbox
    /// Multi-node mode: the shared roster in Redis.
    let store: RedisRosterStore?

    var hub: SignalingHub
    let encoder = MessageEncoder(headroom: Int(SHLWS_PRE))
    let batchBuffer = BatchBuffer(headroom: Int(SHLWS_PRE), capacity: 64 * 1024)
    var sockets: [ConnectionID: WebSocketConnection] = [:]
    /// Sockets that got something to send during the current pass of the service loop.
    private var dirty: [WebSocketConnection] = []
    private var flushing: [WebSocketConnection] = []
    /// Wakes the loop when a coalesced write falls due. Set once the loop exists.
    var eventLoop: LWSEventLoop?
    var exchanges: [HTTPExchangeID: HTTPExchange] = [:]
    private var nextConnection: UInt64 = 0
    private var nextExchange: UInt64 = 0

    /// Set once the lws context exists.
    var context: OpaquePointer?
    /// The one scheduler entry; it always stands at the earliest deadline we know of.
    private let timer: UnsafeMutablePointer<shlws_timer_t>
    private var timerArmedAt: Int64?
    /// When the next keepalive sweep is due (monotonic ms).
    private var nextKeepaliveSweep: Int64 = 0
    var sweepsSinceTrim = 0

    private(set) var shuttingDown = false
    private(set) var stopDeadline: Int64?

    init(configuration: ServerConfiguration, tokens: TokenService, logger: Logger, metrics: HubMetrics, inbox: Inbox) {
        self.configuration = configuration
        self.tokens = tokens
        self.logger = logger
        self.metrics = metrics
        self.inbox = inbox
        var hubConfiguration = configuration.hub
        if var cluster = configuration.cluster {
            hubConfiguration.sharedRoster = true
            cluster.historyLimit = configuration.hub.eventHistoryLimit
            store = RedisRosterStore(configuration: cluster, logger: logger) { input in inbox.post(.shared(input)) }
        } else {
            store = nil
        }
        self.hub = SignalingHub(configuration: hubConfiguration)
        timer = .allocate(capacity: 1)
        timer.initialize(to: shlws_timer_t())
        timer.pointee.user = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        timer.deinitialize(count: 1)
        timer.deallocate()
    }

    func makeConnectionID() -> ConnectionID {
        nextConnection += 1
        return ConnectionID(nextConnection)
    }

    func makeExchangeID() -> HTTPExchangeID {
        nextExchange += 1
        return HTTPExchangeID(rawValue: nextExchange)
    }

    /// The service loop stops once shutdown has closed every socket, or its time is up.
    var isFinished: Bool {
        guard let stopDeadline else { return false }
        return sockets.isEmpty || ServiceClock.milliseconds(CLOCK_MONOTONIC) >= stopDeadline
    }

    // MARK: Actions from the core

    func apply(_ actions: [HubAction]) {
        for action in actions {
            switch action {
            case .send(let message, let recipients):
                let frame = encoder.encode(message)
                metrics.record(message, recipients: recipients.count)
                let eventSeq = message.rosterEventSeq
                let replaceable = eventSeq != nil || message.isRosterSnapshot
                for id in recipients {
                    guard let socket = sockets[id], socket.pendingClose == nil else { continue }
                    if let eventSeq, eventSeq <= socket.snapshotSeq { continue }  // already in its snapshot
                    enqueue(WebSocketConnection.Queued(frame: frame, replaceable: replaceable), on: socket)
                }
            case .close(let id, let code, let reason):
                guard let socket = sockets[id] else { continue }
                if code == .policyViolation {
                    logger.info("closing for policy", metadata: ["connection": "\(id)", "reason": "\(reason)"])
                }
                socket.pendingClose = (code, reason)
                lws_callback_on_writable(socket.wsi)  // the close itself happens in the callback
            case .verifyCallToken(let id, let token):
                guard let socket = sockets[id] else { continue }
                // Later messages wait in the kernel until the join is decided, so they are
                // handled in order against the right state.
                lws_rx_flow_control(socket.wsi, 0)
                let tokens = self.tokens
                let inbox = self.inbox
                Task.detached {
                    let result = await tokens.verifyCallToken(token)
                    inbox.post(.callTokenVerified(id, result))
                }
            case .shared(let command):
                store?.execute(command)
            }
        }
        armTimer()
    }

    // MARK: Outgoing queues

    /// Queues a frame, keeping each socket's backlog under `maxQueuedBytesPerSocket`: a
    /// member that falls behind has its queued roster events replaced by one fresh
    /// snapshot, and one that falls behind again before even that is written is dropped.
    /// Either way memory stays bounded and nobody else waits for it.
    func enqueue(_ item: WebSocketConnection.Queued, on socket: WebSocketConnection) {
        let limit = configuration.maxQueuedBytesPerSocket
        if socket.queuedBytes + item.frame.count > limit {
            if item.replaceable && !socket.awaitingReplacementSnapshot, let snapshot = hub.rosterSnapshot(for: socket.id) {
                socket.dropReplaceable()
                if case .roster(_, let seq, _, _) = snapshot { socket.snapshotSeq = seq }
                metrics.slowConsumerSnapshots.increment()
                logger.debug("slow consumer: backlog replaced by a snapshot", metadata: ["connection": "\(socket.id)"])
                var replacement = WebSocketConnection.Queued(frame: encoder.encode(snapshot), replaceable: true)
                replacement.isReplacementSnapshot = true
                return enqueue(replacement, on: socket)
            }
            // Non-replaceable traffic (acks, signals) is bounded by rate limits; allow some
            // slack before giving up on the reader.
            if item.replaceable || socket.queuedBytes + item.frame.count > limit * 4 {
                return dropSlowConsumer(socket)
            }
        }
        let wasIdle = socket.isIdle
        socket.enqueue(item)
        if wasIdle { dirty.append(socket) }
    }

    /// Writes what each socket got, one frame per socket (batched), straight away: no wait
    /// for a POLLOUT round trip through the event loop. A socket written less than the
    /// coalescing interval ago waits out the rest of it, so a fast stream of events costs
    /// one `send()` per interval instead of one per event; the loop wakes when it is due.
    /// A socket that lws still holds unsent bytes for waits for WRITEABLE instead, which
    /// keeps back-pressure intact.
    func flushDirtySockets() {
        guard !dirty.isEmpty else { return }
        swap(&dirty, &flushing)  // two arrays in turn: no allocation per pass
        let interval = configuration.writeCoalescingMicroseconds
        let now = interval > 0 ? ServiceClock.monotonicMicroseconds() : 0
        var earliestDue = Int64.max
        for socket in flushing where socket.isOpen {
            let due = socket.lastWriteUs + interval
            if interval > 0, due > now, !socket.isIdle {
                dirty.append(socket)
                earliestDue = min(earliestDue, due)
            } else if lws_partial_buffered(socket.wsi) != 0 {
                lws_callback_on_writable(socket.wsi)
            } else if !writeNext(socket) {
                shlws_drop(socket.wsi)
            }
        }
        flushing.removeAll(keepingCapacity: true)
        if earliestDue != .max { eventLoop?.wake(atMonotonicMicroseconds: earliestDue, now: now) }
    }

    private func dropSlowConsumer(_ socket: WebSocketConnection) {
        logger.info("slow consumer dropped", metadata: ["connection": "\(socket.id)", "queuedBytes": "\(socket.queuedBytes)"])
        metrics.slowConsumersDropped.increment()
        socket.dropReplaceable()
        socket.pendingClose = (.policyViolation, "too slow")
        shlws_drop(socket.wsi)
    }

    // MARK: Cross-thread work

    func drainInbox() {
        for item in inbox.drain() {
            switch item {
            case .callTokenVerified(let id, let result):
                if let socket = sockets[id] { lws_rx_flow_control(socket.wsi, 1) }
                if case .failure(let error) = result {
                    logger.debug("join refused", metadata: ["connection": "\(id)", "code": "\(error.code.rawValue)"])
                }
                apply(hub.callTokenVerified(result, for: id, at: ServiceClock.now()))
            case .httpAuthorized(let id, let outcome):
                completeHTTP(id, outcome)
            case .shared(let input):
                apply(hub.sharedInput(input, at: ServiceClock.now()))
            case .stop:
                beginShutdown()
            }
        }
    }

    private func beginShutdown() {
        guard !shuttingDown else { return }
        shuttingDown = true
        logger.info("shutting down", metadata: ["sockets": "\(sockets.count)"])
        stopDeadline = ServiceClock.milliseconds(CLOCK_MONOTONIC) + configuration.shutdownTimeoutMs
        apply(hub.shutdown())
        store?.stop()  // after what shutdown queued for Redis (members leaving) has gone
        scheduleTimer(atMonotonic: stopDeadline!)
    }

    // MARK: Timers

    func timerFired() {
        timerArmedAt = nil
        let now = ServiceClock.now()
        if now.monotonicMs >= nextKeepaliveSweep {
            sweepKeepalive(now: now.monotonicMs)
            nextKeepaliveSweep = now.monotonicMs + keepalive.sweepPeriodMs(floorMs: Self.timerSlotMs)
        }
        apply(hub.tick(at: now))  // re-arms for the next deadline
        scheduleTimer(atMonotonic: nextKeepaliveSweep)
        if let stopDeadline { scheduleTimer(atMonotonic: stopDeadline) }
        // The loop runs due timers before it waits for I/O, so what they queued would sit
        // until the next unrelated event: send it now.
        flushDirtySockets()
    }

    private func armTimer() {
        if let next = hub.nextDeadline { scheduleTimer(atMonotonic: next) }
    }

    /// Timer wakeups are rounded up to this slot, so that deadlines close together (a join
    /// storm's join timeouts) share one wakeup of the loop.
    static let timerSlotMs: Int64 = 50

    private func scheduleTimer(atMonotonic deadline: Int64) {
        guard let context else { return }
        let at = (deadline + Self.timerSlotMs - 1) / Self.timerSlotMs * Self.timerSlotMs
        if let armed = timerArmedAt, armed <= at { return }
        timerArmedAt = at
        let delayMs = max(0, at - ServiceClock.milliseconds(CLOCK_MONOTONIC))
        // One extra millisecond so that the deadline has passed when the callback runs.
        lws_sul_schedule(context, 0, shlws_timer_sul(timer), hubTimerCallback, lws_usec_t((delayMs + 1) * 1000))
    }
}

/// lws calls a scheduled sul back with only the sul; the timer struct around it leads to
/// the service.
private func hubTimerCallback(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul, let raw = shlws_timer_user(sul) else { return }
    Unmanaged<HubService>.fromOpaque(raw).takeUnretainedValue().timerFired()
}
