import Foundation
import JWTKit
import SignalHubCore
import Testing

@testable import SignalHubAuth

@Suite("Tokens")
struct TokenServiceTests {
    static let secret = Array("an-app-secret-long-enough-for-every-hmac-variant-0123456789abcdef".utf8)
    let alice = AuthIdentity(uid: "alice", name: "Alice", avatar: "https://x/a.png", role: .moderator)
    let room = SessionID(validating: "room:1")!

    func service(now: @escaping @Sendable () -> Date = { Date() }) async throws -> TokenService {
        try await TokenService(secret: Self.secret, now: now)
    }

    func code<T>(_ result: Result<T, ProtocolError>) -> ErrorCode? {
        if case .failure(let error) = result { return error.code }
        return nil
    }

    @Test func authTokenRoundTrip() async throws {
        let tokens = try await service()
        let issued = try await tokens.issueAuthToken(for: alice, ttlSeconds: 60)
        #expect(try await tokens.verifyAuthToken(issued.token).get() == alice)
        #expect(abs(issued.expiresAt - Int64(Date().timeIntervalSince1970) - 60) <= 1)
    }

    @Test func callTokenCarriesIdentityAndSession() async throws {
        let tokens = try await service()
        let issued = try await tokens.issueCallToken(for: alice, sessionID: room, ttlSeconds: 60)
        let identity = try await tokens.verifyCallToken(issued.token).get()
        #expect(identity == CallIdentity(uid: "alice", name: "Alice", avatar: "https://x/a.png", role: .moderator, sessionID: room))
    }

    @Test func callTokensAreUniqueEvenForTheSameUserAndSession() async throws {
        let tokens = try await service()
        let a = try await tokens.issueCallToken(for: alice, sessionID: room, ttlSeconds: 60)
        let b = try await tokens.issueCallToken(for: alice, sessionID: room, ttlSeconds: 60)
        #expect(a.token != b.token)
    }

    @Test func adminTokenRoundTrip() async throws {
        let tokens = try await service()
        let issued = try await tokens.issueAdminToken(subject: "ops", ttlSeconds: 60)
        #expect(try await tokens.verifyAdminToken(issued.token).get() == "ops")
    }

    @Test func audiencesKeepTheKindsApart() async throws {
        let tokens = try await service()
        let auth = try await tokens.issueAuthToken(for: alice, ttlSeconds: 60).token
        let call = try await tokens.issueCallToken(for: alice, sessionID: room, ttlSeconds: 60).token
        let admin = try await tokens.issueAdminToken(subject: "ops", ttlSeconds: 60).token
        #expect(code(await tokens.verifyCallToken(auth)) == .authTokenInvalid)
        #expect(code(await tokens.verifyAuthToken(call)) == .authTokenInvalid)
        #expect(code(await tokens.verifyAdminToken(call)) == .authTokenInvalid)
        #expect(code(await tokens.verifyCallToken(admin)) == .authTokenInvalid)
    }

    @Test func expiredIsReportedOnlyForAGenuineToken() async throws {
        let past = try await service(now: { Date().addingTimeInterval(-3_600) })
        let expired = try await past.issueCallToken(for: alice, sessionID: room, ttlSeconds: 60).token
        let tokens = try await service()
        #expect(code(await tokens.verifyCallToken(expired)) == .tokenExpired)
        let forger = try await TokenService(secret: Array("another-secret-that-is-32-bytes-long".utf8), now: { Date().addingTimeInterval(-3_600) })
        let forgedExpired = try await forger.issueCallToken(for: alice, sessionID: room, ttlSeconds: 60).token
        #expect(code(await tokens.verifyCallToken(forgedExpired)) == .authTokenInvalid)
    }

    @Test func aForeignSecretIsRefused() async throws {
        let forger = try await TokenService(secret: Array("another-secret-that-is-32-bytes-long".utf8))
        let forged = try await forger.issueCallToken(for: alice, sessionID: room, ttlSeconds: 60).token
        #expect(code(await (try await service()).verifyCallToken(forged)) == .authTokenInvalid)
    }

    @Test func algNoneIsRefused() async throws {
        let tokens = try await service()
        let genuine = try await tokens.issueCallToken(for: alice, sessionID: room, ttlSeconds: 60).token
        let payload = genuine.split(separator: ".")[1]
        let header = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64URL
        #expect(code(await tokens.verifyCallToken("\(header).\(payload).")) == .authTokenInvalid)
        // Even with the genuine signature kept, the header's algorithm decides.
        let signature = genuine.split(separator: ".")[2]
        #expect(code(await tokens.verifyCallToken("\(header).\(payload).\(signature)")) == .authTokenInvalid)
    }

    @Test func otherHMACAlgorithmsWithTheSameSecretAreRefused() async throws {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Self.secret), digestAlgorithm: .sha384)
        let now = Date()
        let payload = CallTokenPayload(
            aud: AudienceClaim(value: "signalhub:call"), sub: SubjectClaim(value: "alice"), name: "Alice", avatar: nil,
            role: "participant", sid: "room", iat: IssuedAtClaim(value: now), exp: ExpirationClaim(value: now.addingTimeInterval(60)),
            jti: IDClaim(value: "x"))
        let hs384 = try await keys.sign(payload)
        #expect(code(await (try await service()).verifyCallToken(hs384)) == .authTokenInvalid)
    }

    @Test(arguments: ["abc", "a.b.c", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9.e30.sig"])
    func malformedTokensAreInvalid(_ token: String) async throws {
        #expect(code(await (try await service()).verifyCallToken(token)) == .authTokenInvalid)
    }

    @Test func anEmptyTokenIsMissing() async throws {
        #expect(code(await (try await service()).verifyCallToken("")) == .authTokenMissing)
    }

    @Test func badClaimValuesAreInvalid() async throws {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Self.secret), digestAlgorithm: .sha256)
        let now = Date()
        func token(sub: String, role: String?, sid: String) async throws -> String {
            try await keys.sign(CallTokenPayload(
                aud: AudienceClaim(value: "signalhub:call"), sub: SubjectClaim(value: sub), name: nil, avatar: nil, role: role,
                sid: sid, iat: IssuedAtClaim(value: now), exp: ExpirationClaim(value: now.addingTimeInterval(60)), jti: IDClaim(value: "j")))
        }
        let tokens = try await service()
        #expect(code(await tokens.verifyCallToken(try await token(sub: "a", role: "admin", sid: "r"))) == .authTokenInvalid)
        #expect(code(await tokens.verifyCallToken(try await token(sub: "a", role: nil, sid: "bad sid!"))) == .authTokenInvalid)
        #expect(code(await tokens.verifyCallToken(try await token(sub: "", role: nil, sid: "r"))) == .authTokenInvalid)
        #expect(code(await tokens.verifyCallToken(try await token(sub: String(repeating: "u", count: 129), role: nil, sid: "r"))) == .authTokenInvalid)
        // Without name and role the uid names the participant, who is a plain participant.
        let plain = try await tokens.verifyCallToken(try await token(sub: "bob", role: nil, sid: "r")).get()
        #expect(plain.name == "bob")
        #expect(plain.role == .participant)
    }

    @Test func aShortSecretIsRefused() async {
        await #expect(throws: TokenServiceError.secretTooShort(5)) {
            _ = try await TokenService(secret: Array("short".utf8))
        }
    }
}

extension Data {
    fileprivate var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
