import SignalHubCore
import SignalHubRedis

/// The admin API in multi-node mode: every node answers from Redis, so every node gives
/// the same answer. Completions run on the store's thread.
extension RedisRosterStore {
    public typealias Reply<T> = @Sendable (Result<T, ProtocolError>) -> Void

    public func listSessions(_ completion: @escaping Reply<[SessionSummary]>) {
        run([.script(RosterScripts.list, [prefix])]) { result in
            completion(result.map { replies in
                let items = replies[0].array ?? []
                var summaries: [SessionSummary] = []
                var index = 0
                while index + 2 < items.count {
                    if let sid = items[index].string.flatMap(SessionID.init(validating:)), let count = items[index + 1].integer, let seq = items[index + 2].integer {
                        summaries.append(SessionSummary(sessionID: sid, participantCount: Int(count), seq: UInt64(seq)))
                    }
                    index += 3
                }
                return summaries.sorted { $0.sessionID < $1.sessionID }
            })
        }
    }

    /// Nil when there is no such active session.
    public func snapshot(_ sessionID: SessionID, _ completion: @escaping Reply<SharedSnapshot?>) {
        run([.script(RosterScripts.snapshot, [prefix, sessionID.rawValue])]) { result in
            completion(result.map { replies in Self.snapshot(replies[0]) })
        }
    }

    public func endSession(_ sessionID: SessionID, reason: SessionEndReason, _ completion: @escaping Reply<Void>) {
        run([.script(RosterScripts.end, [prefix, sessionID.rawValue, reason.rawValue])]) { result in
            completion(result.flatMap { replies in
                replies[0].array?.first?.string == "ok" ? .success(()) : .failure(ProtocolError(.sessionNotFound, "no active session \(sessionID)"))
            })
        }
    }

    public func removeParticipant(_ pid: ParticipantID, from sessionID: SessionID, _ completion: @escaping Reply<Void>) {
        run([.script(RosterScripts.remove, [prefix, sessionID.rawValue, pid.rawValue, LeaveReason.removed.rawValue, "", history])]) { result in
            completion(result.flatMap { replies in Self.found(replies[0], pid, sessionID, accepting: ["ok"]) })
        }
    }

    public func muteParticipant(_ pid: ParticipantID, in sessionID: SessionID, _ completion: @escaping Reply<Void>) {
        run([.script(RosterScripts.update, [prefix, sessionID.rawValue, pid.rawValue, ParticipantField.isAudioMuted.rawValue, "1", "", history])]) { result in
            completion(result.flatMap { replies in Self.found(replies[0], pid, sessionID, accepting: ["ok", "same"]) })
        }
    }

    private static func found(_ reply: RedisValue, _ pid: ParticipantID, _ sessionID: SessionID, accepting: Set<String>) -> Result<Void, ProtocolError> {
        if accepting.contains(reply.array?.first?.string ?? "") { return .success(()) }
        return .failure(ProtocolError(.participantNotFound, "no participant \(pid) in session \(sessionID)"))
    }
}
