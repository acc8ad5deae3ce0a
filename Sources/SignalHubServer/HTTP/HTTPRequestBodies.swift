import SignalHubAuth
import SignalHubCore
import SignalHubWire

/// Validation of the two JSON request bodies of PROTOCOL.md §2.
enum HTTPRequestBodies {
    /// `POST /v1/calls/tokens` `{"sessionId": "..."}`.
    static func callToken(_ body: [UInt8]) -> Result<SessionID, ProtocolError> {
        object(body).flatMap { fields in
            switch fields["sessionId"] {
            case nil, .null?:
                return .failure(ProtocolError(.sessionIDMissing, "sessionId is required"))
            case .string(let raw)?:
                if raw.isEmpty { return .failure(ProtocolError(.sessionIDMissing, "sessionId is required")) }
                guard let id = SessionID(validating: raw) else {
                    return .failure(ProtocolError(.validationError, "sessionId must be 1-128 characters of A-Z a-z 0-9 . _ : -"))
                }
                return .success(id)
            default:
                return .failure(ProtocolError(.validationError, "sessionId must be a string"))
            }
        }
    }

    /// `POST /v1/dev/login` `{"uid": "...", "name": "..."}`, plus optional `avatar` and
    /// `role` so that a tester can play a moderator.
    static func devLogin(_ body: [UInt8]) -> Result<AuthIdentity, ProtocolError> {
        object(body).flatMap { fields in
            guard case .string(let uid)? = fields["uid"], UserID.isValid(uid) else {
                return .failure(ProtocolError(.validationError, "uid must be a string of 1-128 characters"))
            }
            var strings: [String: String] = [:]
            for key in ["name", "avatar", "role"] {
                switch fields[key] {
                case nil, .null?: continue
                case .string(let value)?: strings[key] = value
                default: return .failure(ProtocolError(.validationError, "\(key) must be a string"))
                }
            }
            var role = Role.participant
            if let raw = strings["role"] {
                guard let parsed = Role(rawValue: raw) else {
                    return .failure(ProtocolError(.validationError, "role must be participant or moderator"))
                }
                role = parsed
            }
            let name = strings["name"].flatMap { $0.isEmpty ? nil : $0 }
            return .success(AuthIdentity(uid: uid, name: name, avatar: strings["avatar"], role: role))
        }
    }

    private static func object(_ body: [UInt8]) -> Result<[String: JSONValue], ProtocolError> {
        JSONDecoding.parse(body).flatMap { value in
            guard case .object(let fields) = value else {
                return .failure(ProtocolError(.validationError, "the body must be a JSON object"))
            }
            return .success(fields)
        }
    }
}
