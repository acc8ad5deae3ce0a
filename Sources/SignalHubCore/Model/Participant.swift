/// A member of a session's roster, as every client sees it (PROTOCOL.md §3, "Participant").
public struct Participant: Sendable, Hashable {
    public let pid: ParticipantID
    public let uid: String
    public let name: String
    public let avatar: String?
    public let role: Role
    public let sessionType: CallSettings.SessionType
    public internal(set) var isAudioMuted: Bool
    public internal(set) var isVideoPaused: Bool
    public internal(set) var isHandRaised: Bool
    /// Unix milliseconds.
    public let joinedAt: Int64

    public init(
        pid: ParticipantID, uid: String, name: String, avatar: String?, role: Role,
        sessionType: CallSettings.SessionType, isAudioMuted: Bool, isVideoPaused: Bool,
        isHandRaised: Bool, joinedAt: Int64
    ) {
        self.pid = pid
        self.uid = uid
        self.name = name
        self.avatar = avatar
        self.role = role
        self.sessionType = sessionType
        self.isAudioMuted = isAudioMuted
        self.isVideoPaused = isVideoPaused
        self.isHandRaised = isHandRaised
        self.joinedAt = joinedAt
    }
}

/// The fields of a participant that can change after it joined; `participantUpdated`
/// names them in `changed`.
public enum ParticipantField: String, Sendable, Hashable {
    case isAudioMuted
    case isVideoPaused
    case isHandRaised
}

/// A change a member asks for (or a moderator forces) on one participant's state.
public enum StateChange: Sendable, Hashable {
    case muteAudio, unmuteAudio, pauseVideo, resumeVideo, raiseHand, lowerHand

    public var field: ParticipantField {
        switch self {
        case .muteAudio, .unmuteAudio: return .isAudioMuted
        case .pauseVideo, .resumeVideo: return .isVideoPaused
        case .raiseHand, .lowerHand: return .isHandRaised
        }
    }

    public var newValue: Bool {
        switch self {
        case .muteAudio, .pauseVideo, .raiseHand: return true
        case .unmuteAudio, .resumeVideo, .lowerHand: return false
        }
    }
}

extension Participant {
    /// Applies a change; returns whether anything changed. A VOICE participant's video
    /// stays paused whatever it asks.
    mutating func apply(_ change: StateChange) -> Bool {
        let value = change.newValue
        switch change.field {
        case .isAudioMuted:
            guard isAudioMuted != value else { return false }
            isAudioMuted = value
        case .isVideoPaused:
            guard isVideoPaused != value, sessionType != .voice else { return false }
            isVideoPaused = value
        case .isHandRaised:
            guard isHandRaised != value else { return false }
            isHandRaised = value
        }
        return true
    }
}
