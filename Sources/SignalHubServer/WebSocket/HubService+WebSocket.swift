import CLibWebSockets
import SignalHubCore
import SignalHubWire

/// The signaling socket's lws callbacks, translated into core inputs.
extension HubService {
    /// Before the upgrade: only `/v1/signal` speaks the protocol, and not while stopping.
    func acceptsUpgrade(path: String) -> Bool {
        !shuttingDown && path == "/v1/signal"
    }

    func socketOpened(_ wsi: OpaquePointer) {
        let id = makeConnectionID()
        sockets[id] = WebSocketConnection(id: id, wsi: wsi)
        lws_set_opaque_user_data(wsi, UnsafeMutableRawPointer(bitPattern: UInt(id.rawValue)))
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
        guard socket.receiveBuffer.count + data.count <= configuration.maxMessageBytes else {
            logger.debug("message too big", metadata: ["connection": "\(socket.id)"])
            closeNow(wsi, .messageTooBig, "message too big")
            return false
        }
        socket.receiveBuffer.append(contentsOf: data)
        guard lws_is_final_fragment(wsi) != 0, lws_remaining_packet_payload(wsi) == 0 else { return true }

        let isBinary = lws_frame_is_binary(wsi) != 0
        let parsed: Result<ClientEnvelope, ProtocolError> =
            isBinary
            ? .failure(ProtocolError(.validationError, "messages must be text frames"))
            : socket.receiveBuffer.withUnsafeBytes { JSONDecoding.clientMessage($0) }
        socket.receiveBuffer.removeAll(keepingCapacity: socket.receiveBuffer.capacity <= 4096)
        metrics.messagesReceived.increment()
        apply(hub.received(parsed, from: socket.id, at: ServiceClock.now()))
        return true
    }

    /// The socket may take a frame. Returns false when lws should close it now.
    func socketWritable(_ wsi: OpaquePointer) -> Bool {
        guard let socket = socket(for: wsi) else { return true }
        if let frame = socket.outbox.popFirst() {
            let written = shlws_write_text(wsi, frame.payload.assumingMemoryBound(to: UInt8.self), frame.count)
            if written < 0 { return false }
            if !socket.outbox.isEmpty || socket.pendingClose != nil { lws_callback_on_writable(wsi) }
            return true
        }
        if let (code, reason) = socket.pendingClose {
            closeNow(wsi, code, reason)
            return false
        }
        return true
    }

    func socketClosed(_ wsi: OpaquePointer) {
        guard let socket = socket(for: wsi) else { return }
        lws_set_opaque_user_data(wsi, nil)
        sockets[socket.id] = nil
        apply(hub.connectionClosed(socket.id, at: ServiceClock.now()))
    }

    private func closeNow(_ wsi: OpaquePointer, _ code: CloseCode, _ reason: String) {
        var reason = Array(reason.utf8.prefix(123))
        lws_close_reason(wsi, lws_close_status(rawValue: UInt32(code.rawValue)), &reason, reason.count)
    }
}
