import CLibWebSockets
import SignalHubCore

/// Keepalive as one sweep over every socket (a second apart by default), instead of a
/// timer per connection. `KeepalivePolicy` decides, per socket, when to ping and when to
/// drop (the participant then enters the grace period).
extension HubService {
    var keepalive: KeepalivePolicy { KeepalivePolicy(heartbeat: configuration.hub.heartbeat) }

    func heard(_ socket: WebSocketConnection) {
        socket.lastHeardMs = ServiceClock.milliseconds(CLOCK_MONOTONIC)
        socket.pingRequestedMs = nil
    }

    func pongReceived(_ wsi: OpaquePointer) {
        if let socket = socket(for: wsi) { heard(socket) }
    }

    func sweepKeepalive(now: Int64) {
        let policy = keepalive
        var dropped = 0
        for socket in sockets.values where !socket.closeFrameSent {
            switch policy.decide(now: now, lastHeardMs: socket.lastHeardMs, pingRequestedMs: socket.pingRequestedMs) {
            case .none:
                break
            case .drop:
                dropped += 1
                socket.pendingClose = (.goingAway, "ping timeout")
                shlws_drop(socket.wsi)
            case .ping:
                socket.pingRequestedMs = now
                socket.pingDue = true
                if socket.isIdle, lws_partial_buffered(socket.wsi) == 0 {
                    if !sendPing(socket) { shlws_drop(socket.wsi) }
                } else {
                    lws_callback_on_writable(socket.wsi)
                }
            }
        }
        if dropped > 0 { logger.debug("dropped silent sockets", metadata: ["count": "\(dropped)"]) }
        // Bursts (a join storm sends each joiner a roster of everyone) leave freed heap
        // behind; every ten sweeps, hand it back to the system.
        sweepsSinceTrim += 1
        if sweepsSinceTrim >= 10 {
            sweepsSinceTrim = 0
            shlws_release_free_heap()
        }
    }

    /// Returns false when the write failed.
    func sendPing(_ socket: WebSocketConnection) -> Bool {
        socket.pingDue = false
        return shlws_write_ping(socket.wsi) >= 0
    }
}
