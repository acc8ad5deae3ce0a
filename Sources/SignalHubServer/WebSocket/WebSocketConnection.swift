import DequeModule
import SignalHubCore
import SignalHubWire

/// One socket, as the service thread keeps it: a signaling member, or (with `--echo`) a
/// diagnostic echo socket.
final class WebSocketConnection {
    enum Kind { case signaling, echo }

    /// A frame waiting for the socket to become writable. Frames are shared with the other
    /// recipients of the same fan-out.
    struct Queued {
        let frame: OutboundFrame
        /// A roster event or snapshot: a newer snapshot makes it redundant.
        let replaceable: Bool
        var isBinary = false
        var isReplacementSnapshot = false
    }

    let id: ConnectionID
    let wsi: OpaquePointer
    let kind: Kind
    /// The oldest queued frame. Most sockets hold one frame at a time, so it has its own
    /// slot: a `Deque` would allocate its storage for every frame and free it after.
    private var first: Queued?
    /// Frames queued behind `first`.
    private var rest = Deque<Queued>()
    private(set) var queuedBytes = 0
    /// A snapshot that replaced this socket's backlog has not been written yet: if it falls
    /// behind again meanwhile, it cannot keep up at all.
    private(set) var awaitingReplacementSnapshot = false
    /// The seq of the last replacement snapshot: roster events up to it are already in it.
    var snapshotSeq: UInt64 = 0
    /// Set by a close action: sent once the outbox is empty.
    var pendingClose: (code: CloseCode, reason: String)?
    /// Our close frame is out; the socket waits for the peer's close (the handshake).
    var closeFrameSent = false
    /// Monotonic ms of the last frame from the peer (any message or pong).
    var lastHeardMs: Int64
    /// A keepalive ping is due: sent as soon as the socket can take it.
    var pingDue = false
    /// When the keepalive sweep asked for a ping (written or still due) since the peer was
    /// last heard from.
    var pingRequestedMs: Int64?
    /// When this socket was last written (monotonic us): the start of its coalescing interval.
    var lastWriteUs: Int64 = 0
    /// Fragments of the message being received.
    var receiveBuffer: [UInt8] = []
    /// Cleared when lws closes the socket, so that a pass's flush skips it without a lookup.
    var isOpen = true

    init(id: ConnectionID, wsi: OpaquePointer, kind: Kind, now: Int64) {
        self.id = id
        self.wsi = wsi
        self.kind = kind
        lastHeardMs = now
    }

    var isIdle: Bool { first == nil }

    func enqueue(_ item: Queued) {
        if first == nil { first = item } else { rest.append(item) }
        queuedBytes += item.frame.count
        if item.isReplacementSnapshot { awaitingReplacementSnapshot = true }
    }

    var next: Queued? { first }

    func dequeue() -> Queued? {
        guard let item = first else { return nil }
        first = rest.popFirst()
        if first != nil, rest.isEmpty { rest = Deque() }  // a burst's storage is not kept by an idle socket
        queuedBytes -= item.frame.count
        if item.isReplacementSnapshot { awaitingReplacementSnapshot = false }
        return item
    }

    /// Drops every queued roster event and snapshot (a fresh snapshot is about to take
    /// their place); acks, errors and pongs stay, in order.
    func dropReplaceable() {
        var kept = Deque<Queued>()
        if let first, !first.replaceable { kept.append(first) }
        kept.append(contentsOf: rest.lazy.filter { !$0.replaceable })
        first = kept.popFirst()
        rest = kept.isEmpty ? Deque() : kept
        queuedBytes = (first?.frame.count ?? 0) + rest.reduce(0) { $0 + $1.frame.count }
        awaitingReplacementSnapshot = false
    }
}
