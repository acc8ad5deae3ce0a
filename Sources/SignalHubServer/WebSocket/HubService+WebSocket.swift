import CLibWebSockets
import SignalHubCore
import SignalHubWire

/// The WebSocket lws callbacks, translated into core inputs.
extension HubService {
    static let signalingPath = "/v1/signal"
    static let echoPath = "/v1/echo"

    /// Before the upgrade: the right path, not while stopping, under the connection cap,
    /// and from an allowed origin.
    func acceptsUpgrade(path: String, origin: String?) -> Bool {
        guard !shuttingDown else { return false }
        guard path == Self.signalingPath || (path == Self.echoPath && configuration.echoEnabled) else { return false }
        guard sockets.count < configuration.maxConnections else {
            logger.warning("connection refused: at the connection cap", metadata: ["max": "\(configuration.maxConnections)"])
            return false
        }
        if let origin, !configuration.allowedOrigins.isEmpty, !configuration.allowedOrigins.contains(origin) {
            logger.info("connection refused: origin not allowed", metadata: ["origin": "\(origin)"])
            return false
        }
        return true
    }

    func socketOpened(_ wsi: OpaquePointer, path: String) {
        let id = makeConnectionID()
        let kind: WebSocketConnection.Kind = path == Self.echoPath ? .echo : .signaling
        sockets[id] = WebSocketConnection(id: id, wsi: wsi, kind: kind, now: ServiceClock.milliseconds(CLOCK_MONOTONIC))
        lws_set_opaque_user_data(wsi, UnsafeMutableRawPointer(bitPattern: UInt(id.rawValue)))
        guard kind == .signaling else { return }
        metrics.connectionsOpened.increment()
        hub.connectionOpened(id, at: ServiceClock.now())
        apply([])  // arms the join timeout
    }

    func socket(for wsi: OpaquePointer) -> WebSocketConnection? {
        guard let raw = lws_get_opaque_user_data(wsi) else { return nil }
        return sockets[ConnectionID(UInt64(UInt(bitPattern: raw)))]
    }

    /// A fragment arrived. Returns false when the socket must close (message too big).
    func socketReceived(_ wsi: OpaquePointer, _ data: UnsafeRawBufferPointer) -> Bool {
        guard let socket = socket(for: wsi) else { return false }
        heard(socket)
        guard socket.receiveBuffer.count + data.count <= configuration.maxMessageBytes else {
            logger.debug("message too big", metadata: ["connection": "\(socket.id)"])
            closeNow(wsi, .messageTooBig, "message too big")
            return false
        }
        let isWhole = lws_is_final_fragment(wsi) != 0 && lws_remaining_packet_payload(wsi) == 0
        if socket.receiveBuffer.isEmpty && isWhole {
            // Almost every message arrives in one piece: read it where lws put it.
            handleMessage(data, on: socket, isBinary: lws_frame_is_binary(wsi) != 0)
            return true
        }
        socket.receiveBuffer.append(contentsOf: data)
        guard isWhole else { return true }
        socket.receiveBuffer.withUnsafeBytes { handleMessage($0, on: socket, isBinary: lws_frame_is_binary(wsi) != 0) }
        socket.receiveBuffer = []  // idle connections keep no buffer
        return true
    }

    private func handleMessage(_ message: UnsafeRawBufferPointer, on socket: WebSocketConnection, isBinary: Bool) {
        if socket.kind == .echo {
            var item = WebSocketConnection.Queued(frame: OutboundFrame(headroom: Int(SHLWS_PRE), copying: message), replaceable: false)
            item.isBinary = isBinary
            enqueue(item, on: socket)
            return
        }
        let parsed: Result<ClientEnvelope, ProtocolError> =
            isBinary ? .failure(ProtocolError(.validationError, "messages must be text frames")) : JSONDecoding.clientMessage(message)
        metrics.messagesReceived.increment()
        apply(hub.received(parsed, from: socket.id, at: ServiceClock.now()))
    }

    /// lws says the socket can take more: send what is queued, or the pending close.
    /// Returns false when lws should close it now.
    func socketWritable(_ wsi: OpaquePointer) -> Bool {
        guard let socket = socket(for: wsi) else { return true }
        if socket.closeFrameSent { return true }
        if socket.pingDue, !sendPing(socket) { return false }
        if !socket.isIdle { return writeNext(socket) }
        if let (code, reason) = socket.pendingClose {
            // The close frame goes out now; the connection ends when the peer answers
            // (`peerClosed`) or after a few seconds.
            var bytes = Array(reason.utf8.prefix(123))
            let written = shlws_send_close_frame(wsi, code.rawValue, &bytes, bytes.count, Self.closeAckSeconds)
            socket.closeFrameSent = written >= 0
            return written >= 0
        }
        return true
    }

    /// How long a socket the hub closed may take to answer with its own close frame.
    static let closeAckSeconds: Int32 = 3

    /// The peer sent a close frame. Returns true when it answers ours (close the connection
    /// now, without echoing), false when the peer started the close (lws echoes it).
    func peerClosed(_ wsi: OpaquePointer) -> Bool {
        socket(for: wsi)?.closeFrameSent ?? false
    }

    /// Everything queued goes out in one write, as a JSON array when there is more than one
    /// message (PROTOCOL.md lets the hub batch), so a burst costs one send instead of one
    /// per event. Returns false when the write failed.
    func writeNext(_ socket: WebSocketConnection) -> Bool {
        guard let first = socket.dequeue() else { return true }
        let wsi = socket.wsi
        let written: Int32
        if socket.kind == .signaling, !first.isBinary, let next = socket.next, !next.isBinary,
            first.frame.count + next.frame.count + 3 <= batchBuffer.capacity
        {
            let length = batchBuffer.fill(first: first.frame, from: socket)
            written = shlws_write_message(wsi, batchBuffer.payload, length, 0)
        } else {
            let frame = first.frame
            written = shlws_write_message(wsi, frame.payload.assumingMemoryBound(to: UInt8.self), frame.count, first.isBinary ? 1 : 0)
        }
        if written < 0 { return false }
        if configuration.writeCoalescingMicroseconds > 0 { socket.lastWriteUs = ServiceClock.monotonicMicroseconds() }
        metrics.framesWritten.increment()
        if !socket.isIdle || socket.pendingClose != nil { lws_callback_on_writable(wsi) }
        return true
    }

    func socketClosed(_ wsi: OpaquePointer) {
        guard let socket = socket(for: wsi) else { return }
        lws_set_opaque_user_data(wsi, nil)
        socket.isOpen = false
        sockets[socket.id] = nil
        guard socket.kind == .signaling else { return }
        apply(hub.connectionClosed(socket.id, at: ServiceClock.now()))
    }

    private func closeNow(_ wsi: OpaquePointer, _ code: CloseCode, _ reason: String) {
        var reason = Array(reason.utf8.prefix(123))
        lws_close_reason(wsi, lws_close_status(rawValue: UInt32(code.rawValue)), &reason, reason.count)
    }
}
