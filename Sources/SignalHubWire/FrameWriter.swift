import CJansson

/// A reusable byte buffer in which the hot messages (roster events, acks, snapshots) are
/// put together. Every string goes through jansson's encoder; the writer itself only adds
/// constant keys and punctuation, integers and booleans, so the bytes are exactly what
/// jansson makes of the whole tree (the encoder tests compare the two byte for byte).
/// Building and dumping a tree cost about 6 us per `participantUpdated`, most of it in
/// jansson's dump (a `snprintf` and a hash-table entry per container to detect cycles).
final class FrameWriter {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 4 * 1024) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    func reset() { count = 0 }

    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var grown = capacity * 2
        while grown < count + extra { grown *= 2 }
        let larger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
        larger.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = larger
        capacity = grown
    }

    func write(_ literal: StaticString) {
        literal.withUTF8Buffer { write(UnsafeRawBufferPointer($0)) }
    }

    func write(_ raw: UnsafeRawBufferPointer) {
        guard let source = raw.baseAddress, raw.count > 0 else { return }
        reserve(raw.count)
        (base + count).copyMemory(from: source, byteCount: raw.count)
        count += raw.count
    }

    func write(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { write($0) }
    }

    func write(byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    func write(bool: Bool) {
        if bool { write("true") } else { write("false") }
    }

    /// Decimal, as jansson prints a `json_int_t` (`%lld`).
    func write(integer: Int64) {
        reserve(20)
        var magnitude = integer.magnitude
        if integer < 0 { write(byte: UInt8(ascii: "-")) }
        var digits = 1
        var probe = magnitude
        while probe >= 10 { probe /= 10; digits += 1 }
        var at = count + digits - 1
        repeat {
            base.storeBytes(of: UInt8(ascii: "0") + UInt8(magnitude % 10), toByteOffset: at, as: UInt8.self)
            magnitude /= 10
            at -= 1
        } while magnitude > 0
        count += digits
    }

    /// A JSON string, escaped by jansson.
    func write(string: String) -> Bool {
        let node = JanssonBuilder.string(string)
        defer { json_decref(node) }
        return write(tree: node, flags: SHJ_MEASURE_FLAGS)
    }

    /// A whole jansson tree, dumped in place (the tree is not released).
    func write(tree: UnsafeMutablePointer<json_t>, flags: Int = SHJ_DUMP_FLAGS) -> Bool {
        var needed = json_dumpb(tree, (base + count).assumingMemoryBound(to: CChar.self), capacity - count, flags)
        if needed > capacity - count {
            reserve(needed)
            needed = json_dumpb(tree, (base + count).assumingMemoryBound(to: CChar.self), capacity - count, flags)
        }
        guard needed > 0 else { return false }  // jansson refused it
        count += needed
        return true
    }
}
