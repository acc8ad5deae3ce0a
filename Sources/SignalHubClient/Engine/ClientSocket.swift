import CLibWebSockets
import DequeModule
import SignalHubWire

/// What a socket's owner hears, on the engine's service thread.
public protocol ClientSocketDelegate: AnyObject {
    func socketDidOpen(_ socket: ClientSocket)
    /// One whole message (a hub frame: one JSON object or an array of them).
    func socket(_ socket: ClientSocket, didReceive frame: UnsafeRawBufferPointer)
    /// The socket is gone. `code` is the hub's close code, when it sent one.
    func socketDidClose(_ socket: ClientSocket, code: UInt16?, error: String?)
}

/// One WebSocket to a hub. Use it only on the engine's service thread (from delegate
/// callbacks, timers, or `ClientEngine.perform`).
public final class ClientSocket {
    public let id: UInt64
    var wsi: OpaquePointer?
    var delegate: (any ClientSocketDelegate)?
    /// Writes the queued messages at the end of the loop's turn.
    weak var owner: ClientLoop?
    private(set) var outbox = Deque<OutboundFrame>()
    var receiveBuffer: [UInt8] = []
    var closeRequested = false
    var peerCloseCode: UInt16?
    public private(set) var isOpen = false
    private(set) var isFinished = false
    /// Messages written, for the load tool's accounting.
    public private(set) var framesSent = 0

    init(id: UInt64, delegate: any ClientSocketDelegate) {
        self.id = id
        self.delegate = delegate
    }

    /// Queues one message (a frame from `ClientMessageEncoder`).
    public func send(_ frame: OutboundFrame) {
        guard !isFinished, !closeRequested else { return }
        outbox.append(frame)
        if isOpen, outbox.count == 1 { owner?.markDirty(self) }
    }

    /// Closes with 1000 once everything queued has been written.
    public func close() {
        guard !isFinished else { return }
        closeRequested = true
        if let wsi { lws_callback_on_writable(wsi) }
    }

    /// Drops the TCP connection at once, without a close frame: an abrupt network loss.
    public func abort() {
        guard let wsi, !isFinished else { return }
        shlws_drop(wsi)
    }

    func opened() {
        isOpen = true
        delegate?.socketDidOpen(self)
        if !outbox.isEmpty { owner?.markDirty(self) }
        if closeRequested, let wsi { lws_callback_on_writable(wsi) }
    }

    /// Writes queued messages until none is left or lws holds unsent bytes (then it waits
    /// for POLLOUT, which keeps back-pressure). A client frame is masked in place by lws,
    /// so it goes out of `scratch`, never out of the (possibly shared) frame itself.
    func flush(scratch: WriteScratch) {
        guard let wsi, isOpen else { return }
        if !writeQueued(wsi, scratch: scratch) { shlws_drop(wsi) }
    }

    /// The WRITEABLE callback: more of the queue, or the close once it is empty.
    func writable(scratch: WriteScratch) -> Bool {
        guard let wsi else { return false }
        if !outbox.isEmpty { return writeQueued(wsi, scratch: scratch) }
        if closeRequested {
            var reason: [UInt8] = []
            lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, &reason, 0)
            return false
        }
        return true
    }

    private func writeQueued(_ wsi: OpaquePointer, scratch: WriteScratch) -> Bool {
        while lws_partial_buffered(wsi) == 0, let frame = outbox.popFirst() {
            let payload = scratch.copy(frame)
            if shlws_write_message(wsi, payload, frame.count, 0) < 0 { return false }
            framesSent += 1
        }
        if !outbox.isEmpty || closeRequested { lws_callback_on_writable(wsi) }
        return true
    }

    func finished(error: String?) {
        guard !isFinished else { return }
        isFinished = true
        isOpen = false
        wsi = nil
        let delegate = self.delegate
        self.delegate = nil  // the socket no longer keeps its owner alive
        delegate?.socketDidClose(self, code: peerCloseCode, error: error)
    }
}

/// One buffer, with lws headroom, that client writes are copied into before masking.
final class WriteScratch {
    private let headroom: Int
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int

    init(headroom: Int) {
        self.headroom = headroom
        capacity = 16 * 1024
        storage = .allocate(byteCount: headroom + capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    func copy(_ frame: OutboundFrame) -> UnsafeMutablePointer<UInt8> {
        if frame.count > capacity {
            storage.deallocate()
            capacity = frame.count
            storage = .allocate(byteCount: headroom + capacity, alignment: 16)
        }
        (storage + headroom).copyMemory(from: frame.payload, byteCount: frame.count)
        return (storage + headroom).assumingMemoryBound(to: UInt8.self)
    }
}
