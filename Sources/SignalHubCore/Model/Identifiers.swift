/// A socket as the core sees it. The adapter assigns these; the core never reuses one.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "c\(rawValue)" }
}

/// A session ID: 1-128 characters of `A-Z a-z 0-9 . _ : -` (PROTOCOL.md §1).
public struct SessionID: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let rawValue: String

    /// Returns nil for a string that is not a valid session ID.
    public init?(validating raw: String) {
        guard Self.isValid(raw) else { return nil }
        self.rawValue = raw
    }

    public static func isValid(_ raw: String) -> Bool {
        let bytes = raw.utf8
        guard (1...128).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A participant ID, unique within its session and stable across a resume.
public struct ParticipantID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// Limits on user IDs (PROTOCOL.md §1: 1-128 characters).
public enum UserID {
    public static func isValid(_ uid: String) -> Bool { (1...128).contains(uid.count) }
}
