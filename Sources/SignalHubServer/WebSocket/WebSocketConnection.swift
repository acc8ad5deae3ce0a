import DequeModule
import SignalHubCore
import SignalHubWire

/// One signaling socket, as the service thread keeps it.
final class WebSocketConnection {
    let id: ConnectionID
    let wsi: OpaquePointer
    /// Frames waiting for the socket to be writable, oldest first. Frames are shared
    /// with the other recipients of the same fan-out.
    var outbox = Deque<OutboundFrame>()
    /// Set by a close action: sent once the outbox is empty.
    var pendingClose: (code: CloseCode, reason: String)?
    /// Fragments of the message being received.
    var receiveBuffer: [UInt8] = []

    init(id: ConnectionID, wsi: OpaquePointer) {
        self.id = id
        self.wsi = wsi
    }
}
