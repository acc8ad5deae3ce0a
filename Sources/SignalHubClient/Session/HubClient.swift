import SignalHubCore
import SignalHubWire
import Synchronization

/// A user's way into calls, as the calls SDK has it: log in, turn the auth token into a
/// call token for a session, join with it. Thread-safe.
public final class HubClient: Sendable {
    public let endpoint: HubEndpoint
    private let engine: ClientEngine
    private let authToken = Mutex<String?>(nil)

    public init(engine: ClientEngine, endpoint: HubEndpoint) {
        self.engine = engine
        self.endpoint = endpoint
    }

    /// Dev login (`POST /v1/dev/login`, hubs in dev mode only); keeps the auth token.
    public func login(uid: String, name: String? = nil, role: Role = .participant) async throws(ClientError) {
        var body: [String: JSONValue] = ["uid": .string(uid), "role": .string(role.rawValue)]
        if let name { body["name"] = .string(name) }
        let reply = try await post("/v1/dev/login", body: .object(body), bearer: nil)
        guard case .string(let token)? = reply["authToken"] else { throw .unexpectedReply("dev login") }
        loginWithAuthToken(token)
    }

    /// Uses an auth token from the app's backend.
    public func loginWithAuthToken(_ token: String) { authToken.withLock { $0 = token } }

    /// A call token for one session (`POST /v1/calls/tokens`). Checks what it can before
    /// any network use, with the same codes as the hub.
    public func generateToken(sessionId: String) async throws(ClientError) -> String {
        guard let bearer = authToken.withLock({ $0 }) else {
            throw .refused(ProtocolError(.authTokenMissing, "log in first"), httpStatus: nil)
        }
        guard !sessionId.isEmpty else { throw .refused(ProtocolError(.sessionIDMissing, "a session ID is required"), httpStatus: nil) }
        guard SessionID.isValid(sessionId) else {
            throw .refused(ProtocolError(.validationError, "a session ID is 1-128 characters of A-Z a-z 0-9 . _ : -"), httpStatus: nil)
        }
        let reply = try await post("/v1/calls/tokens", body: .object(["sessionId": .string(sessionId)]), bearer: bearer)
        guard case .string(let token)? = reply["token"] else { throw .unexpectedReply("call token") }
        return token
    }

    /// Opens a socket and joins the session named inside `token`.
    public func joinSession(token: String, settings: CallSettings = CallSettings(), resume: ResumeRequest? = nil) async throws(ClientError) -> CallSession {
        let (events, continuation) = AsyncStream<CallEvent>.makeStream()
        let state = SessionState()
        let (engine, endpoint) = (self.engine, self.endpoint)
        let result: Result<CallSession, ClientError> = await withCheckedContinuation { done in
            let posted = engine.perform { loop in
                let link = SessionLink(state: state, loop: loop, continuation: continuation)
                link.socket = loop.connect(to: endpoint, delegate: link)
                link.join(.join(token: token, settings: settings, resume: resume)) { reply in
                    done.resume(returning: reply.map {
                        CallSession(reply: $0, events: events, engine: engine, link: LoopBound(link), state: state)
                    })
                }
            }
            if !posted { done.resume(returning: .failure(.engineStopped)) }
        }
        return try result.get()
    }

    private func post(_ path: String, body: JSONValue, bearer: String?) async throws(ClientError) -> JSONValue {
        let (engine, endpoint) = (self.engine, self.endpoint)
        let bytes = JSONEncoding.bytes(body)
        var headers: [(String, String)] = []
        if let bearer { headers.append(("authorization:", "Bearer \(bearer)")) }
        let sendableHeaders = headers.map { SendablePair(name: $0.0, value: $0.1) }
        let result: Result<HTTPResult, ClientError> = await withCheckedContinuation { done in
            let posted = engine.perform { loop in
                loop.request("POST", path, on: endpoint, headers: sendableHeaders.map { ($0.name, $0.value) }, body: bytes) {
                    done.resume(returning: $0)
                }
            }
            if !posted { done.resume(returning: .failure(.engineStopped)) }
        }
        let response = try result.get()
        let json = (try? JSONDecoding.parse(response.body).get()) ?? .null
        guard response.status == 200 else {
            if case .string(let raw)? = json["error"]?["code"], let code = ErrorCode(rawValue: raw) {
                let message = json["error"]?["message"].flatMap { if case .string(let m) = $0 { m } else { nil } } ?? ""
                throw .refused(ProtocolError(code, message), httpStatus: response.status)
            }
            throw .unexpectedReply("HTTP \(response.status) from \(path)")
        }
        return json
    }
}

private struct SendablePair: Sendable {
    let name: String
    let value: String
}
