import CJansson
import SignalHubCore

/// A `JSONValue` as compact JSON bytes (request bodies, tests).
public enum JSONEncoding {
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        let node = JanssonBuilder.value(value)
        defer { json_decref(node) }
        let size = json_dumpb(node, nil, 0, SHJ_MEASURE_FLAGS)
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes { _ = json_dumpb(node, $0.baseAddress?.assumingMemoryBound(to: CChar.self), size, SHJ_MEASURE_FLAGS) }
        return bytes
    }
}
