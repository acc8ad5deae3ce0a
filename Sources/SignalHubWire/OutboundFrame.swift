/// One encoded message, with free space in front of it for the transport's frame header
/// (libwebsockets' `LWS_PRE`). Immutable once made: a fan-out hands the same frame to
/// every recipient instead of copying it.
public final class OutboundFrame: @unchecked Sendable {
    /// Bytes reserved before the payload.
    public let headroom: Int
    /// Payload length in bytes.
    public let count: Int
    private let storage: UnsafeMutableRawPointer

    public init(headroom: Int, copying payload: UnsafeRawBufferPointer) {
        self.headroom = headroom
        self.count = payload.count
        storage = .allocate(byteCount: headroom + payload.count, alignment: 16)
        if let base = payload.baseAddress, payload.count > 0 {
            (storage + headroom).copyMemory(from: base, byteCount: payload.count)
        }
    }

    /// A frame of `count` bytes that `fill` writes (given the payload's start).
    public init(headroom: Int, count: Int, fill: (UnsafeMutableRawPointer) -> Void) {
        self.headroom = headroom
        self.count = count
        storage = .allocate(byteCount: headroom + count, alignment: 16)
        fill(storage + headroom)
    }

    deinit { storage.deallocate() }

    /// Start of the payload; `headroom` bytes before it are writable by the transport.
    public var payload: UnsafeMutableRawPointer { storage + headroom }

    public var bytes: [UInt8] { Array(UnsafeRawBufferPointer(start: payload, count: count)) }

    public var text: String { String(decoding: UnsafeRawBufferPointer(start: payload, count: count), as: UTF8.self) }
}
