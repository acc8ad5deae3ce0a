import CJansson
import SignalHubCore

/// Encodes hub messages with jansson. Not thread-safe: one per service thread, because it
/// reuses its buffers so that encoding allocates only the frame it returns, and keeps the
/// participants' encoded fields for events and roster snapshots.
///
/// The messages of the hot paths (roster events, acks, snapshots) are put together from
/// pieces jansson encoded (`FrameWriter`); the rest are built as a tree and dumped whole.
/// Both give the same bytes: the tests compare them for every message the hot paths write.
public final class MessageEncoder {
    public let headroom: Int
    private var scratch: UnsafeMutableRawBufferPointer
    let writer = FrameWriter()
    let fragments = ParticipantFragments()

    /// - Parameter headroom: bytes to leave in front of every payload (`LWS_PRE` for lws).
    public init(headroom: Int = 0) {
        self.headroom = headroom
        scratch = .allocate(byteCount: 16 * 1024, alignment: 16)
    }

    deinit { scratch.deallocate() }

    public func encode(_ message: ServerMessage) -> OutboundFrame {
        writer.reset()
        let composed: Bool
        switch message {
        case .joined(let reply):
            composed = writeJoined(reply)
        case .roster(let sessionID, let seq, let participants, let requestID):
            composed = writeRoster(sessionID: sessionID, seq: seq, participants: participants, requestID: requestID)
        case .participantJoined(let event), .participantUpdated(let event):
            composed = writeRosterEvent(event)
        case .participantLeft(let event):
            composed = writeRosterEvent(event)
            fragments.forget(event.participant.pid)
        case .ack(let requestID):
            composed = writeAck(requestID)
        default:
            return frame(from: ServerMessageJSON.node(for: message))
        }
        guard composed else { return frame(from: ServerMessageJSON.node(for: message)) }
        return OutboundFrame(headroom: headroom, copying: writer.bytes)
    }

    public func encode(_ body: HTTPResponseBody) -> OutboundFrame {
        frame(from: HTTPResponseJSON.node(for: body))
    }

    /// Dumps a tree (and releases it) into bytes.
    func dump(_ root: UnsafeMutablePointer<json_t>) -> [UInt8] {
        let count = dumpToScratch(root)
        return Array(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
    }

    /// Dumps a tree (and releases it) into a new frame.
    func frame(from root: UnsafeMutablePointer<json_t>) -> OutboundFrame {
        let count = dumpToScratch(root)
        return OutboundFrame(headroom: headroom, copying: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
    }

    /// Dumps a tree (and releases it) into the scratch buffer; returns the length.
    private func dumpToScratch(_ root: UnsafeMutablePointer<json_t>) -> Int {
        defer { json_decref(root) }
        var needed = json_dumpb(root, scratch.baseAddress?.assumingMemoryBound(to: CChar.self), scratch.count, SHJ_DUMP_FLAGS)
        if needed > scratch.count {
            // Rare (a big message): grow once and keep the larger scratch for next time.
            scratch.deallocate()
            scratch = .allocate(byteCount: needed.roundedUpToPowerOfTwo, alignment: 16)
            needed = json_dumpb(root, scratch.baseAddress?.assumingMemoryBound(to: CChar.self), scratch.count, SHJ_DUMP_FLAGS)
        }
        return needed
    }
}

extension Int {
    fileprivate var roundedUpToPowerOfTwo: Int {
        var value = 1
        while value < self { value <<= 1 }
        return value
    }
}
