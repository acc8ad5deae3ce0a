import CJansson
import SignalHubCore

/// Parses client bytes with jansson into a `JSONValue`.
public enum JSONDecoding {
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<JSONValue, ProtocolError> {
        var error = json_error_t()
        let base = bytes.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) }
        guard let root = json_loadb(base, bytes.count, SHJ_LOAD_FLAGS, &error) else {
            return .failure(ProtocolError(.validationError, "not valid JSON"))
        }
        defer { json_decref(root) }
        return .success(convert(root))
    }

    public static func parse(_ bytes: [UInt8]) -> Result<JSONValue, ProtocolError> {
        bytes.withUnsafeBytes { parse($0) }
    }

    /// The most `signal` data the hub relays, measured as compact JSON (PROTOCOL.md §3).
    public static let maxSignalDataBytes = 16 * 1024

    /// Parses and validates one client message.
    public static func clientMessage(_ bytes: UnsafeRawBufferPointer) -> Result<ClientEnvelope, ProtocolError> {
        var error = json_error_t()
        let base = bytes.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) }
        guard let root = json_loadb(base, bytes.count, SHJ_LOAD_FLAGS, &error) else {
            return .failure(ProtocolError(.validationError, "not valid JSON"))
        }
        defer { json_decref(root) }
        let parsed =
            shj_typeof(root) == JSON_OBJECT
            ? ClientMessageParser.parse(object: JanssonFields(node: root)) : ClientMessageParser.parse(convert(root))
        if case .success(let envelope) = parsed, case .signal = envelope.message,
            let data = json_object_get(root, "data"), json_dumpb(data, nil, 0, SHJ_MEASURE_FLAGS) > maxSignalDataBytes
        {
            return .failure(ProtocolError(.validationError, "signal data is larger than \(maxSignalDataBytes) bytes", requestID: envelope.requestID))
        }
        return parsed
    }

    static func convert(_ node: UnsafeMutablePointer<json_t>) -> JSONValue {
        switch shj_typeof(node) {
        case JSON_OBJECT:
            var fields: [String: JSONValue] = [:]
            fields.reserveCapacity(json_object_size(node))
            var iterator = json_object_iter(node)
            while let current = iterator {
                let key = String(cString: json_object_iter_key(current))
                if let child = json_object_iter_value(current) {
                    fields[key] = convert(child)
                }
                iterator = json_object_iter_next(node, current)
            }
            return .object(fields)
        case JSON_ARRAY:
            let count = json_array_size(node)
            var items: [JSONValue] = []
            items.reserveCapacity(count)
            for index in 0..<count {
                if let child = json_array_get(node, index) { items.append(convert(child)) }
            }
            return .array(items)
        case JSON_STRING:
            // Length-delimited: a JSON string may hold an escaped NUL.
            let length = json_string_length(node)
            let raw = UnsafeRawBufferPointer(start: json_string_value(node), count: length)
            return .string(String(decoding: raw, as: UTF8.self))
        case JSON_INTEGER:
            return .integer(Int64(json_integer_value(node)))
        case JSON_REAL:
            return .double(json_real_value(node))
        case JSON_TRUE:
            return .bool(true)
        case JSON_FALSE:
            return .bool(false)
        default:
            return .null
        }
    }
}

/// A client message's object as the parser reads it: each member converted when asked for.
struct JanssonFields: ClientMessageFields {
    let node: UnsafeMutablePointer<json_t>

    subscript(key: String) -> JSONValue? {
        json_object_get(node, key).map(JSONDecoding.convert)
    }
}
