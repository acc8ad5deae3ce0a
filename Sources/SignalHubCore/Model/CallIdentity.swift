/// Who a verified call token says the caller is, and which session it admits them to.
public struct CallIdentity: Sendable, Hashable {
    public let uid: String
    public let name: String
    public let avatar: String?
    public let role: Role
    public let sessionID: SessionID

    public init(uid: String, name: String, avatar: String?, role: Role, sessionID: SessionID) {
        self.uid = uid
        self.name = name
        self.avatar = avatar
        self.role = role
        self.sessionID = sessionID
    }
}
