import JWTKit
import SignalHubCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The audiences that keep the three token kinds apart (PROTOCOL.md §1).
public enum TokenAudience: String, Sendable, CaseIterable {
    case auth = "signalhub:auth"
    case call = "signalhub:call"
    case admin = "signalhub:admin"
}

/// Why a token was refused. Audience and expiry are checked inside jwt-kit's verification,
/// after the signature, so an expired token is only reported as such when it is genuine.
enum ClaimRejection: Error {
    case wrongAudience
    case expired
    case invalidClaim(String)
}

/// Shared by the three payloads: the audience and expiry checks jwt-kit runs after the
/// signature has been verified.
protocol AudiencePayload: JWTPayload {
    static var audience: TokenAudience { get }
    var aud: AudienceClaim { get }
    var exp: ExpirationClaim { get }
}

extension AudiencePayload {
    func verify(using algorithm: some JWTAlgorithm) async throws {
        guard aud.value.contains(Self.audience.rawValue) else { throw ClaimRejection.wrongAudience }
        do { try exp.verifyNotExpired() } catch { throw ClaimRejection.expired }
    }
}

struct AuthTokenPayload: AudiencePayload {
    static let audience = TokenAudience.auth
    var aud: AudienceClaim
    var sub: SubjectClaim
    var name: String?
    var avatar: String?
    var role: String?
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
}

struct CallTokenPayload: AudiencePayload {
    static let audience = TokenAudience.call
    var aud: AudienceClaim
    var sub: SubjectClaim
    var name: String?
    var avatar: String?
    var role: String?
    var sid: String
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var jti: IDClaim
}

struct AdminTokenPayload: AudiencePayload {
    static let audience = TokenAudience.admin
    var aud: AudienceClaim
    var sub: SubjectClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
}

/// The user an auth token vouches for.
public struct AuthIdentity: Sendable, Hashable {
    public let uid: String
    public let name: String
    public let avatar: String?
    public let role: Role

    public init(uid: String, name: String? = nil, avatar: String? = nil, role: Role = .participant) {
        self.uid = uid
        self.name = name ?? uid
        self.avatar = avatar
        self.role = role
    }
}

/// A token and when it stops being accepted.
public struct IssuedToken: Sendable, Hashable {
    public let token: String
    /// Unix seconds.
    public let expiresAt: Int64
}
