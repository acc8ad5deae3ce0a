import CLibWebSockets
import SignalHubLWS
import SignalHubWire

#if canImport(Glibc)
import Glibc
#endif

/// The client engine's service-thread side: every socket, request and timer. Use it only
/// on that thread: from `ClientEngine.perform`, delegate callbacks and timers.
public final class ClientLoop {
    static let protocolName = "signalhub-client"
    static let subprotocol = "signalhub.v1"

    var context: OpaquePointer?
    let inbox: ClientInbox
    let eventLoop: LWSEventLoop
    /// Encodes client messages; reuses its buffer, so it belongs to this thread.
    public let encoder = MessageEncoder(headroom: Int(SHLWS_PRE))
    let scratch = WriteScratch(headroom: Int(SHLWS_PRE))
    private var sockets: [UInt64: ClientSocket] = [:]
    private var requests: [UInt64: ClientHTTPRequest] = [:]
    private var nextID: UInt64 = 0
    private let timers = LoopTimers()
    /// Sockets that got messages to send during this turn of the loop.
    private var dirty: [ClientSocket] = []
    private var flushing: [ClientSocket] = []
    var stopping = false

    init(inbox: ClientInbox, eventLoop: LWSEventLoop) {
        self.inbox = inbox
        self.eventLoop = eventLoop
    }

    public var openSockets: Int { sockets.count }

    // MARK: Sockets

    /// Opens a WebSocket to the hub's signaling endpoint. `sourceAddress` binds the local
    /// end (e.g. 127.0.0.2) so that one machine can hold more connections than one source
    /// address has ports.
    @discardableResult
    public func connect(
        to endpoint: HubEndpoint, path: String = "/v1/signal", sourceAddress: String? = nil, delegate: any ClientSocketDelegate
    ) -> ClientSocket {
        nextID += 1
        let socket = ClientSocket(id: nextID, delegate: delegate)
        socket.owner = self
        sockets[socket.id] = socket
        let wsi = open(endpoint, path: path, method: nil, protocol: Self.subprotocol, sourceAddress: sourceAddress, id: socket.id)
        if let wsi {
            socket.wsi = wsi
        } else if sockets[socket.id] != nil {
            sockets[socket.id] = nil
            socket.finished(error: "cannot connect to \(endpoint.host):\(endpoint.port)")
        }
        return socket
    }

    // MARK: HTTP

    public func request(
        _ method: String, _ path: String, on endpoint: HubEndpoint, headers: [(String, String)] = [], body: [UInt8]? = nil,
        completion: @escaping (Result<HTTPResult, ClientError>) -> Void
    ) {
        nextID += 1
        let id = nextID
        var allHeaders = headers
        let frame = body.map { bytes in bytes.withUnsafeBytes { OutboundFrame(headroom: Int(SHLWS_PRE), copying: $0) } }
        if let body {
            allHeaders.append(("content-type:", "application/json"))
            allHeaders.append(("content-length:", "\(body.count)"))
        }
        let request = ClientHTTPRequest(headers: allHeaders, body: frame, completion: completion)
        requests[id] = request
        if open(endpoint, path: path, method: method, protocol: nil, sourceAddress: nil, id: id) == nil, requests[id] != nil {
            requests[id] = nil
            request.finish(.failure(.connectionFailed("cannot connect to \(endpoint.host):\(endpoint.port)")))
        }
    }

    // MARK: Timers

    /// Runs `body` on this thread after `microseconds`.
    public func after(microseconds: Int64, _ body: @escaping () -> Void) {
        let now = MonotonicClock.microseconds()
        timers.schedule(at: now + microseconds, body)
        eventLoop.wake(atMonotonicMicroseconds: now + microseconds, now: now)
    }

    // MARK: The end of each turn

    func markDirty(_ socket: ClientSocket) { dirty.append(socket) }

    /// Runs the timers that are due, then writes what this turn queued, each socket's
    /// messages straight away (no POLLOUT round trip through the loop), and wakes the
    /// loop for the next timer.
    func endOfTurn() {
        let now = MonotonicClock.microseconds()
        timers.fire(now: now)
        if !dirty.isEmpty {
            swap(&dirty, &flushing)
            for socket in flushing { socket.flush(scratch: scratch) }
            flushing.removeAll(keepingCapacity: true)
        }
        if let next = timers.nextDue { eventLoop.wake(atMonotonicMicroseconds: next, now: MonotonicClock.microseconds()) }
    }

    // MARK: Plumbing

    private func open(
        _ endpoint: HubEndpoint, path: String, method: String?, protocol subprotocol: String?, sourceAddress: String?, id: UInt64
    ) -> OpaquePointer? {
        guard let context else { return nil }
        // lws copies these strings while it starts the connection.
        let texts: [String] = [endpoint.host, path, method ?? "", subprotocol ?? "", sourceAddress ?? "", Self.protocolName]
        let strings = texts.map { strdup($0)! }
        defer { strings.forEach { free($0) } }
        var info = lws_client_connect_info()
        info.context = context
        info.address = UnsafePointer(strings[0])
        info.host = UnsafePointer(strings[0])
        info.port = Int32(endpoint.port)
        info.path = UnsafePointer(strings[1])
        info.ssl_connection = endpoint.connectFlags
        info.ietf_version_or_minus_one = -1
        if method != nil { info.method = UnsafePointer(strings[2]) }
        if subprotocol != nil { info.protocol = UnsafePointer(strings[3]) }
        if sourceAddress != nil { info.iface = UnsafePointer(strings[4]) }
        info.local_protocol_name = UnsafePointer(strings[5])
        info.opaque_user_data = UnsafeMutableRawPointer(bitPattern: UInt(id))
        return lws_client_connect_via_info(&info)
    }

    func socket(_ wsi: OpaquePointer) -> ClientSocket? {
        guard let raw = lws_get_opaque_user_data(wsi) else { return nil }
        return sockets[UInt64(UInt(bitPattern: raw))]
    }

    func request(_ wsi: OpaquePointer) -> ClientHTTPRequest? {
        guard let raw = lws_get_opaque_user_data(wsi) else { return nil }
        return requests[UInt64(UInt(bitPattern: raw))]
    }

    func socketFinished(_ wsi: OpaquePointer, error: String?) {
        guard let socket = socket(wsi) else { return }
        sockets[socket.id] = nil
        lws_set_opaque_user_data(wsi, nil)
        socket.finished(error: error)
    }

    func requestFinished(_ wsi: OpaquePointer, _ result: Result<HTTPResult, ClientError>) {
        guard let raw = lws_get_opaque_user_data(wsi), let request = requests.removeValue(forKey: UInt64(UInt(bitPattern: raw))) else { return }
        lws_set_opaque_user_data(wsi, nil)
        request.finish(result)
    }
}
