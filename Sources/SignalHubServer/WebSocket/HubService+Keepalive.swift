import CLibWebSockets
import SignalHubCore

/// Keepalive as one sweep a second over every socket, instead of a timer per connection:
/// a socket silent for the ping interval gets a WebSocket ping, and one silent for the
/// timeout is dropped (its participant then enters the grace period).
extension HubService {
    static let keepaliveSweepMs: Int64 = 1_000

    func heard(_ socket: WebSocketConnection) {
        socket.lastHeardMs = ServiceClock.milliseconds(CLOCK_MONOTONIC)
        socket.pingSent = false
    }

    func pongReceived(_ wsi: OpaquePointer) {
        if let socket = socket(for: wsi) { heard(socket) }
    }

    func sweepKeepalive(now: Int64) {
        let heartbeat = configuration.hub.heartbeat
        var dropped = 0
        for socket in sockets.values where !socket.closeFrameSent {
            let silent = now - socket.lastHeardMs
            if silent >= heartbeat.timeoutMs {
                dropped += 1
                socket.pendingClose = (.goingAway, "ping timeout")
                shlws_drop(socket.wsi)
            } else if silent >= heartbeat.intervalMs, !socket.pingSent, !socket.pingDue {
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
        socket.pingSent = true
        return shlws_write_ping(socket.wsi) >= 0
    }
}
