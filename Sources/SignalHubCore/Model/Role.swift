/// What a participant may do. Moderators may mute, remove and end for everyone.
public enum Role: String, Sendable, Hashable, CaseIterable {
    case participant
    case moderator
}
