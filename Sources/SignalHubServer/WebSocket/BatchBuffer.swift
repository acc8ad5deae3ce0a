import SignalHubWire

/// One reusable buffer in which queued messages are joined into a JSON array frame.
/// Reuse is safe: lws copies whatever the kernel does not take at once.
final class BatchBuffer {
    let capacity: Int
    private let headroom: Int
    private let storage: UnsafeMutableRawPointer

    init(headroom: Int, capacity: Int) {
        self.headroom = headroom
        self.capacity = capacity
        storage = .allocate(byteCount: headroom + capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    var payload: UnsafeMutablePointer<UInt8> { (storage + headroom).assumingMemoryBound(to: UInt8.self) }

    /// Writes `[first,next,...]`, taking queued text messages from `socket` while they fit,
    /// and returns the length.
    func fill(first: OutboundFrame, from socket: WebSocketConnection) -> Int {
        let base = storage + headroom
        var length = 0
        func append(_ frame: OutboundFrame) {
            base.storeBytes(of: length == 0 ? UInt8(ascii: "[") : UInt8(ascii: ","), toByteOffset: length, as: UInt8.self)
            (base + length + 1).copyMemory(from: frame.payload, byteCount: frame.count)
            length += frame.count + 1
        }
        append(first)
        while let next = socket.next, !next.isBinary, length + next.frame.count + 2 <= capacity {
            append(socket.dequeue()!.frame)
        }
        base.storeBytes(of: UInt8(ascii: "]"), toByteOffset: length, as: UInt8.self)
        return length + 1
    }
}
