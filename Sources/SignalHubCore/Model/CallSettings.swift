/// The call settings a client joins with (PROTOCOL.md §3, "Settings").
public struct CallSettings: Sendable, Hashable {
    public enum SessionType: String, Sendable, Hashable, CaseIterable {
        case video = "VIDEO"
        case voice = "VOICE"
    }

    public enum Layout: String, Sendable, Hashable, CaseIterable {
        case tile = "TILE"
        case sidebar = "SIDEBAR"
        case spotlight = "SPOTLIGHT"
    }

    public var sessionType: SessionType
    public var layout: Layout
    public var startAudioMuted: Bool
    public var startVideoPaused: Bool

    public init(
        sessionType: SessionType = .video,
        layout: Layout = .tile,
        startAudioMuted: Bool = false,
        startVideoPaused: Bool = false
    ) {
        self.sessionType = sessionType
        self.layout = layout
        self.startAudioMuted = startAudioMuted
        self.startVideoPaused = startVideoPaused
    }

    /// The settings as the hub applies them: a VOICE participant has no video to show.
    public var effective: CallSettings {
        var copy = self
        if sessionType == .voice { copy.startVideoPaused = true }
        return copy
    }
}

extension CallSettings {
    /// Parses the `settings` object of a `join`. Absent fields take their defaults and
    /// unknown keys are ignored; a wrong type or value is a `VALIDATION_ERROR`.
    public init(parsing value: JSONValue?) throws(ProtocolError) {
        self.init()
        guard let value, value != .null else { return }
        guard case .object(let fields) = value else {
            throw ProtocolError(.validationError, "settings must be an object")
        }
        if let raw = fields["sessionType"] {
            guard case .string(let name) = raw else {
                throw ProtocolError(.validationError, "settings.sessionType must be a string")
            }
            // AUDIO is an alias the calls SDK has always accepted for VOICE.
            guard let type = name == "AUDIO" ? .voice : SessionType(rawValue: name) else {
                throw ProtocolError(.validationError, "settings.sessionType must be VIDEO or VOICE")
            }
            sessionType = type
        }
        if let raw = fields["layout"] {
            guard case .string(let name) = raw, let layout = Layout(rawValue: name) else {
                throw ProtocolError(.validationError, "settings.layout must be TILE, SIDEBAR or SPOTLIGHT")
            }
            self.layout = layout
        }
        startAudioMuted = try Self.flag(fields, "startAudioMuted")
        startVideoPaused = try Self.flag(fields, "startVideoPaused")
    }

    private static func flag(_ fields: [String: JSONValue], _ key: String) throws(ProtocolError) -> Bool {
        guard let raw = fields[key] else { return false }
        guard case .bool(let flag) = raw else {
            throw ProtocolError(.validationError, "settings.\(key) must be a boolean")
        }
        return flag
    }
}
