import CJansson
import SignalHubCore

/// Builds jansson trees. Every `set` steals the child's reference, as `*_set_new` does.
enum JanssonBuilder {
    typealias Node = UnsafeMutablePointer<json_t>

    static func object() -> Node { json_object() }
    static func array() -> Node { json_array() }

    static func string(_ value: String) -> Node {
        var value = value
        // Swift strings are valid UTF-8 already, so jansson's check is skipped.
        return value.withUTF8 { json_stringn_nocheck(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), $0.count) }
    }

    static func integer(_ value: Int64) -> Node { json_integer(json_int_t(value)) }
    static func bool(_ value: Bool) -> Node { shj_boolean(value ? 1 : 0) }

    static func set(_ object: Node, _ key: StaticString, _ value: Node) {
        key.withUTF8Buffer { buffer in
            _ = json_object_set_new_nocheck(object, UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), value)
        }
    }

    static func set(_ object: Node, dynamicKey key: String, _ value: Node) {
        _ = json_object_set_new(object, key, value)
    }

    static func append(_ array: Node, _ value: Node) { _ = json_array_append_new(array, value) }

    /// A `JSONValue` as a jansson tree (used for relayed `signal` data and `ts`).
    static func value(_ value: JSONValue) -> Node {
        switch value {
        case .null: return json_null()
        case .bool(let flag): return bool(flag)
        case .integer(let number): return integer(number)
        case .double(let number): return json_real(number)
        case .string(let text): return string(text)
        case .array(let items):
            let node = array()
            for item in items { append(node, self.value(item)) }
            return node
        case .object(let fields):
            let node = object()
            for (key, item) in fields { set(node, dynamicKey: key, self.value(item)) }
            return node
        }
    }
}
