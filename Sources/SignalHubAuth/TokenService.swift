import JWTKit
import SignalHubCore
import SignalHubWire

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Mints and verifies the hub's three kinds of HS256 token with jwt-kit.
///
/// jwt-kit's key collection is an actor, so verification is async: the server runs it off
/// its service thread and hands the result back in.
public struct TokenService: Sendable {
    /// The shortest app secret accepted, in bytes (PROTOCOL.md §1).
    public static let minimumSecretLength = 32
    public static let algorithm = "HS256"

    private let keys: JWTKeyCollection
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - secret: the app secret, at least `minimumSecretLength` bytes.
    ///   - now: the clock for `iat`/`exp`; tests may pass a fixed one.
    public init(secret: [UInt8], now: @escaping @Sendable () -> Date = { Date() }) async throws(TokenServiceError) {
        guard secret.count >= Self.minimumSecretLength else { throw .secretTooShort(secret.count) }
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.now = now
    }

    // MARK: Minting

    public func issueAuthToken(for identity: AuthIdentity, ttlSeconds: Int64) async throws -> IssuedToken {
        let (issued, expires) = window(ttlSeconds)
        let payload = AuthTokenPayload(
            aud: AudienceClaim(value: TokenAudience.auth.rawValue), sub: SubjectClaim(value: identity.uid),
            name: identity.name, avatar: identity.avatar, role: identity.role.rawValue,
            iat: IssuedAtClaim(value: issued), exp: ExpirationClaim(value: expires))
        return IssuedToken(token: try await keys.sign(payload), expiresAt: Int64(expires.timeIntervalSince1970))
    }

    /// A call token carries the auth token's identity plus the one session it admits to.
    public func issueCallToken(for identity: AuthIdentity, sessionID: SessionID, ttlSeconds: Int64) async throws -> IssuedToken {
        let (issued, expires) = window(ttlSeconds)
        let payload = CallTokenPayload(
            aud: AudienceClaim(value: TokenAudience.call.rawValue), sub: SubjectClaim(value: identity.uid),
            name: identity.name, avatar: identity.avatar, role: identity.role.rawValue, sid: sessionID.rawValue,
            iat: IssuedAtClaim(value: issued), exp: ExpirationClaim(value: expires),
            jti: IDClaim(value: UUID().uuidString))
        return IssuedToken(token: try await keys.sign(payload), expiresAt: Int64(expires.timeIntervalSince1970))
    }

    public func issueAdminToken(subject: String, ttlSeconds: Int64) async throws -> IssuedToken {
        let (issued, expires) = window(ttlSeconds)
        let payload = AdminTokenPayload(
            aud: AudienceClaim(value: TokenAudience.admin.rawValue), sub: SubjectClaim(value: subject),
            iat: IssuedAtClaim(value: issued), exp: ExpirationClaim(value: expires))
        return IssuedToken(token: try await keys.sign(payload), expiresAt: Int64(expires.timeIntervalSince1970))
    }

    // MARK: Verifying

    public func verifyAuthToken(_ token: String) async -> Result<AuthIdentity, ProtocolError> {
        await verify(token, as: AuthTokenPayload.self).flatMap { payload in
            identity(sub: payload.sub.value, name: payload.name, avatar: payload.avatar, role: payload.role)
        }
    }

    public func verifyCallToken(_ token: String) async -> Result<CallIdentity, ProtocolError> {
        await verify(token, as: CallTokenPayload.self).flatMap { payload in
            guard let sessionID = SessionID(validating: payload.sid) else {
                return .failure(ProtocolError(.authTokenInvalid, "the call token's session ID is not valid"))
            }
            return identity(sub: payload.sub.value, name: payload.name, avatar: payload.avatar, role: payload.role).map {
                CallIdentity(uid: $0.uid, name: $0.name, avatar: $0.avatar, role: $0.role, sessionID: sessionID)
            }
        }
    }

    /// Returns the admin's subject.
    public func verifyAdminToken(_ token: String) async -> Result<String, ProtocolError> {
        await verify(token, as: AdminTokenPayload.self).map { $0.sub.value }
    }

    private func verify<Payload: AudiencePayload>(_ token: String, as _: Payload.Type) async -> Result<Payload, ProtocolError> {
        guard !token.isEmpty else { return .failure(ProtocolError(.authTokenMissing, "a token is required")) }
        let bytes = Array(token.utf8)
        // jwt-kit picks the signer by key, not by the header's `alg`: refuse every other
        // algorithm (`none` included) explicitly before checking the signature. Only the
        // header is decoded here: `keys.verify` decodes the payload, once.
        guard let header = Self.header(of: bytes) else {
            return .failure(ProtocolError(.authTokenInvalid, "the token is malformed"))
        }
        guard header.alg == Self.algorithm else {
            return .failure(ProtocolError(.authTokenInvalid, "the token's algorithm must be \(Self.algorithm)"))
        }
        do {
            return .success(try await keys.verify(bytes, as: Payload.self))
        } catch ClaimRejection.expired {
            return .failure(ProtocolError(.tokenExpired, "the token has expired"))
        } catch ClaimRejection.wrongAudience {
            return .failure(ProtocolError(.authTokenInvalid, "the token is not a \(Payload.audience.rawValue) token"))
        } catch {
            return .failure(ProtocolError(.authTokenInvalid, "the token's signature or claims are not valid"))
        }
    }

    /// Made once: each `DefaultJWTParser` makes a `JSONDecoder`, which showed in join storms.
    private static let parser = DefaultJWTParser()

    /// The JOSE header of a compact JWT, or nil when the token is not three base64url parts
    /// with a JSON object header. Read with jansson, like all our JSON: Foundation's
    /// JSONDecoder made this check a third of the token check's JSON work in a join storm.
    private static func header(of token: [UInt8]) -> JOSEHeader? {
        guard let parts = try? Self.parser.getTokenParts(token) else { return nil }
        var base64 = parts.header.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0 }
        base64 += repeatElement(UInt8(ascii: "="), count: (4 - base64.count % 4) % 4)
        guard let json = Data(base64Encoded: Data(base64)), case .object(let fields)? = try? JSONDecoding.parse(Array(json)).get() else { return nil }
        guard case .string(let alg)? = fields["alg"] else { return JOSEHeader(alg: nil) }
        return JOSEHeader(alg: alg)
    }

    private struct JOSEHeader {
        let alg: String?
    }

    private func identity(sub: String, name: String?, avatar: String?, role: String?) -> Result<AuthIdentity, ProtocolError> {
        guard UserID.isValid(sub) else { return .failure(ProtocolError(.authTokenInvalid, "the token's uid must be 1-128 characters")) }
        var parsedRole = Role.participant
        if let role {
            guard let known = Role(rawValue: role) else { return .failure(ProtocolError(.authTokenInvalid, "unknown role \(role)")) }
            parsedRole = known
        }
        return .success(AuthIdentity(uid: sub, name: name, avatar: avatar, role: parsedRole))
    }

    private func window(_ ttlSeconds: Int64) -> (Date, Date) {
        // Whole seconds: JWT times are NumericDate, and clients compare them as such.
        let issued = Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down))
        return (issued, issued.addingTimeInterval(TimeInterval(ttlSeconds)))
    }
}

public enum TokenServiceError: Error, Hashable, CustomStringConvertible {
    case secretTooShort(Int)

    public var description: String {
        switch self {
        case .secretTooShort(let count):
            return "the app secret must be at least \(TokenService.minimumSecretLength) bytes (got \(count))"
        }
    }
}
