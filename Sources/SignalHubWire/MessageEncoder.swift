import CJansson
import SignalHubCore

/// Encodes hub messages with jansson. Not thread-safe: one per service thread, because it
/// reuses a scratch buffer so that encoding allocates only the frame it returns.
public final class MessageEncoder {
    public let headroom: Int
    private var scratch: UnsafeMutableRawBufferPointer

    /// - Parameter headroom: bytes to leave in front of every payload (`LWS_PRE` for lws).
    public init(headroom: Int = 0) {
        self.headroom = headroom
        scratch = .allocate(byteCount: 16 * 1024, alignment: 16)
    }

    deinit { scratch.deallocate() }

    public func encode(_ message: ServerMessage) -> OutboundFrame {
        frame(from: ServerMessageJSON.node(for: message))
    }

    public func encode(_ body: HTTPResponseBody) -> OutboundFrame {
        frame(from: HTTPResponseJSON.node(for: body))
    }

    /// Dumps a tree (and releases it) into a new frame.
    func frame(from root: UnsafeMutablePointer<json_t>) -> OutboundFrame {
        defer { json_decref(root) }
        var needed = json_dumpb(root, scratch.baseAddress?.assumingMemoryBound(to: CChar.self), scratch.count, SHJ_DUMP_FLAGS)
        if needed > scratch.count {
            // Rare (a big roster): grow once and keep the larger scratch for next time.
            scratch.deallocate()
            scratch = .allocate(byteCount: needed.roundedUpToPowerOfTwo, alignment: 16)
            needed = json_dumpb(root, scratch.baseAddress?.assumingMemoryBound(to: CChar.self), scratch.count, SHJ_DUMP_FLAGS)
        }
        return OutboundFrame(headroom: headroom, copying: UnsafeRawBufferPointer(rebasing: scratch[0..<needed]))
    }
}

extension Int {
    fileprivate var roundedUpToPowerOfTwo: Int {
        var value = 1
        while value < self { value <<= 1 }
        return value
    }
}
