/// A parsed JSON value. The wire layer builds these from bytes so that validation can
/// live here, in pure Swift, and be tested without a parser.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public var isNumber: Bool {
        switch self {
        case .integer, .double: return true
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields[key]
    }
}
