import CJansson
import SignalHubCore

/// A read-only look into a parsed jansson tree, valid only inside `parse`'s closure. The
/// client side reads hub messages straight from the tree: building a `JSONValue` first
/// (a Swift dictionary per object) was most of a load run's parsing cost.
struct JanssonView {
    let node: UnsafeMutablePointer<json_t>

    /// Parses `bytes` and hands the root to `body`; nil when they are not JSON.
    static func parse<T>(_ bytes: UnsafeRawBufferPointer, _ body: (JanssonView) -> T) -> T? {
        var error = json_error_t()
        let base = bytes.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) }
        guard let root = json_loadb(base, bytes.count, SHJ_LOAD_FLAGS, &error) else { return nil }
        defer { json_decref(root) }
        return body(JanssonView(node: root))
    }

    static func parse<T>(_ bytes: [UInt8], _ body: (JanssonView) -> T) -> T? {
        bytes.withUnsafeBytes { parse($0, body) }
    }

    /// An object's member; nil when absent or when this is not an object.
    subscript(key: StaticString) -> JanssonView? {
        key.withUTF8Buffer { key in
            json_object_get(node, UnsafeRawPointer(key.baseAddress!).assumingMemoryBound(to: CChar.self)).map(JanssonView.init)
        }
    }

    var string: String? {
        guard shj_typeof(node) == JSON_STRING else { return nil }
        // Length-delimited: a JSON string may hold an escaped NUL.
        return String(decoding: UnsafeRawBufferPointer(start: json_string_value(node), count: json_string_length(node)), as: UTF8.self)
    }

    var bool: Bool? {
        switch shj_typeof(node) {
        case JSON_TRUE: true
        case JSON_FALSE: false
        default: nil
        }
    }

    var int64: Int64? { shj_typeof(node) == JSON_INTEGER ? Int64(json_integer_value(node)) : nil }
    var unsigned: UInt64? { int64.flatMap { $0 >= 0 ? UInt64($0) : nil } }

    /// An array's items; nil when this is not an array.
    var items: [JanssonView]? {
        guard shj_typeof(node) == JSON_ARRAY else { return nil }
        return (0..<json_array_size(node)).map { JanssonView(node: json_array_get(node, $0)!) }
    }

    /// This part of the tree as a `JSONValue`, for the payloads kept as they came (`signal`
    /// data, a ping's `ts`, settings).
    var value: JSONValue { JSONDecoding.convert(node) }
}
