import CJansson
import SignalHubCore

/// Encodes hub messages with jansson. Not thread-safe: one per service thread, because it
/// reuses a scratch buffer so that encoding allocates only the frame it returns, and keeps
/// the participants' encoded objects for roster snapshots.
public final class MessageEncoder {
    public let headroom: Int
    private var scratch: UnsafeMutableRawBufferPointer
    let fragments = ParticipantFragments()

    /// - Parameter headroom: bytes to leave in front of every payload (`LWS_PRE` for lws).
    public init(headroom: Int = 0) {
        self.headroom = headroom
        scratch = .allocate(byteCount: 16 * 1024, alignment: 16)
    }

    deinit { scratch.deallocate() }

    public func encode(_ message: ServerMessage) -> OutboundFrame {
        switch message {
        case .joined(let reply):
            return snapshot(message, listing: reply.participants)
        case .roster(_, _, let list, _):
            return snapshot(message, listing: list)
        case .participantLeft(let event):
            fragments.forget(event.participant.pid)
            return frame(from: ServerMessageJSON.node(for: message))
        default:
            return frame(from: ServerMessageJSON.node(for: message))
        }
    }

    public func encode(_ body: HTTPResponseBody) -> OutboundFrame {
        frame(from: HTTPResponseJSON.node(for: body))
    }

    /// The snapshot around an empty `participants`, with the cached objects spliced in.
    /// The marker is found in jansson's own output: a string value cannot hold it, since
    /// every quote inside a string is escaped.
    private func snapshot(_ message: ServerMessage, listing list: [Participant]) -> OutboundFrame {
        let shell = dump(ServerMessageJSON.node(for: message, listing: false))
        guard let split = Self.insertionPoint(in: shell) else { return frame(from: ServerMessageJSON.node(for: message)) }
        let objects = list.map { fragments.bytes(for: $0, encode: { dump(ServerMessageJSON.participant($0)) }) }
        let count = shell.count + objects.reduce(max(0, objects.count - 1)) { $0 + $1.count }
        return OutboundFrame(headroom: headroom, count: count) { base in
            var at = 0
            func put(_ bytes: ArraySlice<UInt8>) {
                bytes.withUnsafeBytes { (base + at).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                at += bytes.count
            }
            put(shell[..<split])
            for (index, object) in objects.enumerated() {
                if index > 0 {
                    base.storeBytes(of: UInt8(ascii: ","), toByteOffset: at, as: UInt8.self)
                    at += 1
                }
                put(object[...])
            }
            put(shell[split...])
        }
    }

    private static let marker = Array(#""participants":[]"#.utf8)

    /// Just after the `[` of the empty participants list.
    private static func insertionPoint(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= marker.count else { return nil }
        for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
            if bytes[start..<(start + marker.count)].elementsEqual(marker) { return start + marker.count - 1 }
        }
        return nil
    }

    /// Dumps a tree (and releases it) into bytes.
    private func dump(_ root: UnsafeMutablePointer<json_t>) -> [UInt8] {
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
