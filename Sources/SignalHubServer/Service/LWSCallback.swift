import CLibWebSockets

/// The one lws protocol callback. It finds the `HubService` through the context's user
/// pointer and hands each reason to it; whatever it does not own goes to lws's default
/// HTTP handler (static files, upgrades).
func signalHubCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let raw = lws_context_user(context) else {
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
    let service = Unmanaged<HubService>.fromOpaque(raw).takeUnretainedValue()
    let data = UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : length)

    switch reason {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        service.drainInbox()
        return 0
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return service.acceptsUpgrade(path: header(wsi, WSI_TOKEN_GET_URI) ?? "", origin: header(wsi, WSI_TOKEN_ORIGIN)) ? 0 : -1
    case LWS_CALLBACK_ESTABLISHED:
        service.socketOpened(wsi, path: header(wsi, WSI_TOKEN_GET_URI) ?? "")
        return 0
    case LWS_CALLBACK_RECEIVE:
        return service.socketReceived(wsi, data) ? 0 : -1
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return service.socketWritable(wsi) ? 0 : -1
    case LWS_CALLBACK_RECEIVE_PONG:
        service.pongReceived(wsi)
        return 0
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        return service.peerClosed(wsi) ? -1 : 0
    case LWS_CALLBACK_CLOSED:
        service.socketClosed(wsi)
        return 0
    case LWS_CALLBACK_HTTP:
        return service.httpRequest(wsi)
    case LWS_CALLBACK_HTTP_BODY:
        service.httpBody(wsi, data)
        return 0
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        service.httpBodyComplete(wsi)
        return 0
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if let result = service.httpWritable(wsi) { return result }
    case LWS_CALLBACK_CLOSED_HTTP:
        service.httpClosed(wsi)
    default:
        break
    }
    return lws_callback_http_dummy(wsi, reason, user, input, length)
}

/// A request header as a string, or nil when absent.
func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
    var buffer = [CChar](repeating: 0, count: 1024)
    let count = shlws_header(wsi, token, &buffer, Int32(buffer.count))
    guard count >= 0 else { return nil }
    return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
