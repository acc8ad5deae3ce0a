import CLibWebSockets

/// The client protocol's lws callback: WebSocket and HTTP client events, handed to the
/// `ClientLoop` found through the context's user pointer.
func signalHubClientCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let raw = lws_context_user(context) else {
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
    let loop = Unmanaged<ClientLoop>.fromOpaque(raw).takeUnretainedValue()

    switch reason {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        loop.drainInbox()
        return 0

    // WebSocket
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        loop.socket(wsi)?.opened()
        return 0
    case LWS_CALLBACK_CLIENT_RECEIVE:
        guard let socket = loop.socket(wsi) else { return 0 }
        socket.receiveBuffer.append(contentsOf: UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : length))
        if lws_is_final_fragment(wsi) != 0, lws_remaining_packet_payload(wsi) == 0 {
            socket.receiveBuffer.withUnsafeBytes { socket.delegate?.socket(socket, didReceive: $0) }
            socket.receiveBuffer.removeAll(keepingCapacity: socket.receiveBuffer.capacity <= 8192)
        }
        return 0
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return loop.socket(wsi)?.writable(scratch: loop.scratch) == false ? -1 : 0
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if let input { loop.socket(wsi)?.peerCloseCode = shlws_close_code(input, length) }
        return 0
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        let message = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "connection error"
        if loop.socket(wsi) != nil {
            loop.socketFinished(wsi, error: message)
        } else {
            loop.requestFinished(wsi, .failure(.connectionFailed(message)))
        }
        return 0
    case LWS_CALLBACK_CLIENT_CLOSED:
        loop.socketFinished(wsi, error: nil)
        return 0

    // HTTP
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        guard let request = loop.request(wsi), let input else { return 0 }
        for (name, value) in request.headers where shlws_client_add_header(wsi, input, length, name, value) != 0 { return -1 }
        if request.body != nil {
            lws_client_http_body_pending(wsi, 1)
            lws_callback_on_writable(wsi)
        }
        return 0
    case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
        guard let body = loop.request(wsi)?.body else { return 0 }
        lws_client_http_body_pending(wsi, 0)
        return shlws_write_http_body(wsi, body.payload.assumingMemoryBound(to: UInt8.self), body.count) < 0 ? -1 : 0
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
        loop.request(wsi)?.status = Int(lws_http_client_http_response(wsi))
        return 0
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
        return shlws_client_http_drain(wsi)
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        loop.request(wsi)?.response.append(contentsOf: UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : length))
        return 0
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        if let request = loop.request(wsi) {
            loop.requestFinished(wsi, .success(HTTPResult(status: request.status, body: request.response)))
        }
        return 0
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
        loop.requestFinished(wsi, .failure(.connectionFailed("the hub closed the HTTP connection early")))
        return 0
    default:
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
}
