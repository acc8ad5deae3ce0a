import CLibWebSockets
import SignalHubAuth
import SignalHubCluster
import SignalHubCore
import SignalHubWire

/// The HTTP API's lws callbacks. Token checks run off the service thread; everything that
/// touches the hub runs on it.
extension HubService {
    func httpRequest(_ wsi: OpaquePointer) -> Int32 {
        var uri: UnsafeMutablePointer<CChar>?
        var uriLength: Int32 = 0
        let rawMethod = lws_http_get_uri_and_method(wsi, &uri, &uriLength)
        let path = uri.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(uriLength)), as: UTF8.self) } ?? "/"
        let method: HTTPRoute.Method
        switch rawMethod {
        case Int32(LWSHUMETH_GET): method = .get
        case Int32(LWSHUMETH_POST): method = .post
        case Int32(LWSHUMETH_DELETE): method = .delete
        default: method = .other
        }
        let exchange = HTTPExchange(
            id: makeExchangeID(), wsi: wsi, route: HTTPRoute.match(method: method, path: path),
            bearerToken: bearerToken(wsi))
        if let previous = exchangeFor(wsi) { exchanges[previous.id] = nil }
        exchanges[exchange.id] = exchange
        lws_set_opaque_user_data(wsi, UnsafeMutableRawPointer(bitPattern: UInt(exchange.id.rawValue)))

        if method == .post && hasRequestBody(wsi) { return 0 }  // wait for HTTP_BODY_COMPLETION
        dispatch(exchange)
        return 0
    }

    func httpBody(_ wsi: OpaquePointer, _ data: UnsafeRawBufferPointer) {
        guard let exchange = exchangeFor(wsi), !exchange.bodyTooLarge else { return }
        if exchange.body.count + data.count > configuration.maxHTTPBodyBytes {
            exchange.bodyTooLarge = true
            exchange.body = []
        } else {
            exchange.body.append(contentsOf: data)
        }
    }

    func httpBodyComplete(_ wsi: OpaquePointer) {
        guard let exchange = exchangeFor(wsi) else { return }
        dispatch(exchange)
    }

    /// Returns nil when this is not one of our exchanges (a static file, say).
    func httpWritable(_ wsi: OpaquePointer) -> Int32? {
        guard let exchange = exchangeFor(wsi) else { return nil }
        guard let response = exchange.response else { return 0 }
        exchanges[exchange.id] = nil
        lws_set_opaque_user_data(wsi, nil)
        let failed = response.contentType.withCString { type in
            shlws_http_respond(
                wsi, response.status, type, response.body?.payload.assumingMemoryBound(to: UInt8.self),
                response.body?.count ?? 0)
        }
        if failed != 0 { return -1 }
        return lws_http_transaction_completed(wsi) != 0 ? -1 : 0
    }

    func httpClosed(_ wsi: OpaquePointer) {
        guard let exchange = exchangeFor(wsi) else { return }
        exchanges[exchange.id] = nil
        lws_set_opaque_user_data(wsi, nil)
    }

    // MARK: Routing

    private func dispatch(_ exchange: HTTPExchange) {
        if exchange.bodyTooLarge {
            return respond(exchange, ProtocolError(.validationError, "the body is larger than \(configuration.maxHTTPBodyBytes) bytes"), status: 413)
        }
        switch exchange.route {
        case .health:
            if shuttingDown {
                respond(exchange, status: 503, .status("shutting_down"))
            } else if store != nil && !hub.sharedStoreAvailable {
                respond(exchange, status: 503, .status("redis_unavailable"))
            } else {
                respond(exchange, status: 200, .status("ok"))
            }
        case .metrics:
            metrics.connections.record(sockets.count)
            metrics.sessions.record(hub.sessionCount)
            metrics.participants.record(hub.participantCount)
            let text = metrics.emit()
            exchange.response = HTTPResponse(
                status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                body: text.withUnsafeBytes { OutboundFrame(headroom: Int(SHLWS_PRE), copying: $0) })
            lws_callback_on_writable(exchange.wsi)
        case .notFound:
            respond(exchange, ProtocolError(.validationError, "no such endpoint"), status: 404)
        case .methodNotAllowed:
            respond(exchange, ProtocolError(.validationError, "method not allowed here"), status: 405)
        case .devLogin:
            guard configuration.devMode else {
                return respond(exchange, ProtocolError(.validationError, "dev login is off (start the hub with --dev)"), status: 404)
            }
            startDevLogin(exchange)
        case .callTokens:
            startCallToken(exchange)
        default:
            startAdmin(exchange)
        }
    }

    private func startDevLogin(_ exchange: HTTPExchange) {
        let identity: AuthIdentity
        switch HTTPRequestBodies.devLogin(exchange.body) {
        case .failure(let error): return respond(exchange, error)
        case .success(let value): identity = value
        }
        let (tokens, inbox, id, ttl) = (self.tokens, self.inbox, exchange.id, configuration.authTokenTTLSeconds)
        Task.detached {
            let outcome: Result<HTTPWork, ProtocolError>
            do {
                let issued = try await tokens.issueAuthToken(for: identity, ttlSeconds: ttl)
                outcome = .success(.respond(status: 200, .devLogin(authToken: issued.token, uid: identity.uid, expiresAt: issued.expiresAt)))
            } catch {
                outcome = .failure(ProtocolError(.validationError, "could not sign the token"))
            }
            inbox.post(.httpAuthorized(id, outcome))
        }
    }

    private func startCallToken(_ exchange: HTTPExchange) {
        guard let bearer = exchange.bearerToken else {
            return respond(exchange, ProtocolError(.authTokenMissing, "Authorization: Bearer <auth token> is required"))
        }
        let sessionID = HTTPRequestBodies.callToken(exchange.body)
        let (tokens, inbox, id, ttl) = (self.tokens, self.inbox, exchange.id, configuration.callTokenTTLSeconds)
        Task.detached {
            let outcome: Result<HTTPWork, ProtocolError>
            switch (await tokens.verifyAuthToken(bearer), sessionID) {
            case (.failure(let error), _), (.success, .failure(let error)):
                outcome = .failure(error)
            case (.success(let identity), .success(let sessionID)):
                do {
                    let issued = try await tokens.issueCallToken(for: identity, sessionID: sessionID, ttlSeconds: ttl)
                    outcome = .success(.respond(status: 200, .callToken(token: issued.token, sessionID: sessionID, uid: identity.uid, expiresAt: issued.expiresAt)))
                } catch {
                    outcome = .failure(ProtocolError(.validationError, "could not sign the token"))
                }
            }
            inbox.post(.httpAuthorized(id, outcome))
        }
    }

    private func startAdmin(_ exchange: HTTPExchange) {
        guard let bearer = exchange.bearerToken else {
            return respond(exchange, ProtocolError(.authTokenMissing, "Authorization: Bearer <admin token> is required"))
        }
        let (tokens, inbox, id, route) = (self.tokens, self.inbox, exchange.id, exchange.route)
        Task.detached {
            let verified = await tokens.verifyAdminToken(bearer)
            inbox.post(.httpAuthorized(id, verified.map { _ in .admin(route) }))
        }
    }

    /// Back on the service thread after a token check.
    func completeHTTP(_ id: HTTPExchangeID, _ outcome: Result<HTTPWork, ProtocolError>) {
        guard let exchange = exchanges[id] else { return }  // the client went away
        switch outcome {
        case .failure(let error):
            respond(exchange, error)
        case .success(.respond(let status, let body)):
            respond(exchange, status: status, body)
        case .success(.admin(let route)):
            if let store { runSharedAdmin(route, exchange, store) } else { runAdmin(route, exchange) }
        case .success(.noContent):
            exchange.response = HTTPResponse(status: 204, contentType: "application/json", body: nil)
            lws_callback_on_writable(exchange.wsi)
        }
    }

    private func runAdmin(_ route: HTTPRoute, _ exchange: HTTPExchange) {
        do throws(ProtocolError) {
            switch route {
            case .listSessions:
                return respond(exchange, status: 200, .sessions(hub.sessionSummaries()))
            case .getSession(let sessionID):
                guard let roster = hub.roster(of: sessionID) else {
                    throw ProtocolError(.sessionNotFound, "no active session \(sessionID)")
                }
                return respond(exchange, status: 200, .session(sessionID: sessionID, seq: roster.seq, participants: roster.participants))
            case .endSession(let sessionID):
                apply(try hub.adminEndSession(sessionID))
            case .removeParticipant(let sessionID, let pid):
                apply(try hub.adminRemove(pid, from: sessionID))
            case .muteParticipant(let sessionID, let pid):
                apply(try hub.adminMute(pid, in: sessionID))
            default:
                throw ProtocolError(.sessionNotFound, "no such session")
            }
            exchange.response = HTTPResponse(status: 204, contentType: "application/json", body: nil)
            lws_callback_on_writable(exchange.wsi)
        } catch {
            respond(exchange, error)
        }
    }

    /// Multi-node mode: the answer comes from Redis, the same on every node.
    private func runSharedAdmin(_ route: HTTPRoute, _ exchange: HTTPExchange, _ store: RedisRosterStore) {
        let (inbox, id) = (self.inbox, exchange.id)
        @Sendable func done(_ outcome: Result<HTTPWork, ProtocolError>) { inbox.post(.httpAuthorized(id, outcome)) }
        @Sendable func noContent(_ result: Result<Void, ProtocolError>) { done(result.map { .noContent }) }
        switch route {
        case .listSessions:
            store.listSessions { done($0.map { .respond(status: 200, .sessions($0)) }) }
        case .getSession(let sessionID):
            store.snapshot(sessionID) { result in
                done(result.flatMap { snapshot in
                    guard let snapshot else { return .failure(ProtocolError(.sessionNotFound, "no active session \(sessionID)")) }
                    return .success(.respond(status: 200, .session(sessionID: sessionID, seq: snapshot.seq, participants: snapshot.participants)))
                })
            }
        case .endSession(let sessionID):
            store.endSession(sessionID, reason: .endedByAdmin, noContent)
        case .removeParticipant(let sessionID, let pid):
            store.removeParticipant(pid, from: sessionID, noContent)
        case .muteParticipant(let sessionID, let pid):
            store.muteParticipant(pid, in: sessionID, noContent)
        default:
            respond(exchange, ProtocolError(.sessionNotFound, "no such session"))
        }
    }

    // MARK: Responses

    private func respond(_ exchange: HTTPExchange, _ error: ProtocolError, status: UInt32? = nil) {
        respond(exchange, status: status ?? Self.httpStatus(for: error.code), .error(error))
    }

    private func respond(_ exchange: HTTPExchange, status: UInt32, _ body: HTTPResponseBody) {
        exchange.response = HTTPResponse(status: status, contentType: "application/json", body: encoder.encode(body))
        lws_callback_on_writable(exchange.wsi)
    }

    static func httpStatus(for code: ErrorCode) -> UInt32 {
        switch code {
        case .authTokenMissing, .authTokenInvalid, .tokenExpired: return 401
        case .forbidden: return 403
        case .sessionNotFound, .participantNotFound: return 404
        case .rateLimited: return 429
        case .serviceUnavailable: return 503
        default: return 400
        }
    }

    private func exchangeFor(_ wsi: OpaquePointer) -> HTTPExchange? {
        guard let raw = lws_get_opaque_user_data(wsi) else { return nil }
        return exchanges[HTTPExchangeID(rawValue: UInt64(UInt(bitPattern: raw)))]
    }

    private func hasRequestBody(_ wsi: OpaquePointer) -> Bool {
        var buffer = [CChar](repeating: 0, count: 32)
        let length = shlws_header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, &buffer, Int32(buffer.count))
        guard length > 0 else { return false }
        let text = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (Int(text) ?? 0) > 0
    }

    private func bearerToken(_ wsi: OpaquePointer) -> String? {
        var buffer = [CChar](repeating: 0, count: 8192)
        let length = shlws_header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, &buffer, Int32(buffer.count))
        guard length > 0 else { return nil }
        let value = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: " ")
        return token.isEmpty ? nil : token
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(self.drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
