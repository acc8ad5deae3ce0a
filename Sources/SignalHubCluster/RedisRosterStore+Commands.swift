import SignalHubCore
import SignalHubRedis
import SignalHubWire

/// The core's commands as scripts, and their replies as core inputs.
extension RedisRosterStore {
    public func execute(_ command: SharedRosterCommand) {
        let deliver = self.deliver
        switch command {
        case .join(let request):
            join(request, attempts: 3)
        case .resume(let resume):
            run([.script(RosterScripts.resume, [
                prefix, resume.sessionID.rawValue, resume.pid.rawValue, resume.uid, resume.resumeToken, resume.newResumeToken, node,
                String(resume.lastSeq),
            ])]) { result in
                deliver(.joinCompleted(resume.connection, result.flatMap { replies in Self.resumeOutcome(replies[0], resume) }))
            }
        case .update(let sessionID, let pid, let change, let by, let reply):
            run([.script(RosterScripts.update, [
                prefix, sessionID.rawValue, pid.rawValue, change.field.rawValue, change.newValue ? "1" : "0", by?.rawValue ?? "", history,
            ])]) { result in
                guard let reply else { return }
                deliver(.replied(reply, result.flatMap { replies in Self.status(replies[0], accepting: ["ok", "same"], missing: pid) }))
            }
        case .remove(let sessionID, let pid, let reason, let onlyIfHostedHere, let reply):
            run([.script(RosterScripts.remove, [
                prefix, sessionID.rawValue, pid.rawValue, reason.rawValue, onlyIfHostedHere ? node : "", history,
            ])]) { result in
                guard let reply else { return }
                deliver(.replied(reply, result.flatMap { replies in Self.status(replies[0], accepting: ["ok"], missing: pid) }))
            }
        case .end(let sessionID, let reason, let reply):
            run([.script(RosterScripts.end, [prefix, sessionID.rawValue, reason.rawValue])]) { result in
                guard let reply else { return }
                deliver(.replied(reply, result.map { _ in () }))
            }
        case .signal(let sessionID, let from, let to, let data):
            let message = SharedRosterJSON.signal(sessionID: sessionID, from: from, to: to, data: data)
            run([.command("PUBLISH", prefix + "bus", message)]) { _ in }
        case .snapshot(let sessionID):
            snapshot(sessionID) { result in
                // A failure leaves the replica waiting; the outage's recovery replaces it.
                if case .success(let snapshot) = result { deliver(.snapshot(sessionID, snapshot)) }
            }
        case .reconcile(let hosted):
            reconcile(hosted)
        }
    }

    private func join(_ join: SharedJoin, attempts: Int) {
        let deliver = self.deliver
        let participant = SharedRosterJSON.participant(join.participant)
        run([.script(RosterScripts.join, [
            prefix, join.sessionID.rawValue, join.participant.pid.rawValue, join.participant.uid, participant,
            join.resumeToken, SharedRosterJSON.settings(join.settings), node, String(join.maxParticipants), history,
        ])]) { [self] result in
            switch result {
            case .success(let replies) where replies[0].array?.first?.string == "taken" && attempts > 1:
                // Another node picked the same pid (about one chance in 2^66): pick again.
                self.join(join.withNewPID(), attempts: attempts - 1)
            default:
                deliver(.joinCompleted(join.connection, result.flatMap { replies in Self.joinOutcome(replies[0], join) }))
            }
        }
    }

    private func reconcile(_ hosted: [HostedSession]) {
        let deliver = self.deliver
        run([.script(RosterScripts.reconcile, [prefix, node, history, SharedRosterJSON.hosted(hosted)])]) { result in
            // Failing here means Redis went away again; its next return reconciles anew.
            guard case .success(let replies) = result, let items = replies[0].array else { return }
            var snapshots: [SessionID: SharedSnapshot] = [:]
            var index = 0
            while index + 2 < items.count {
                if let sid = items[index].string.flatMap(SessionID.init(validating:)), let seq = items[index + 1].integer,
                    let participants = Self.participants(items[index + 2])
                {
                    snapshots[sid] = SharedSnapshot(seq: UInt64(seq), participants: participants)
                }
                index += 3
            }
            deliver(.recovered(snapshots))
        }
    }

    // MARK: Replies

    static func participants(_ value: RedisValue) -> [Participant]? {
        guard case .bulk(let bytes) = value else { return nil }
        return SharedRosterJSON.participants(parsing: bytes)
    }

    static func snapshot(_ reply: RedisValue) -> SharedSnapshot? {
        guard let items = reply.array, items.count == 3, items[0].string == "ok", let seq = items[1].integer,
            let participants = participants(items[2])
        else { return nil }
        return SharedSnapshot(seq: UInt64(seq), participants: participants)
    }

    private static func status(_ reply: RedisValue, accepting: Set<String>, missing pid: ParticipantID) -> Result<Void, ProtocolError> {
        let status = reply.array?.first?.string ?? ""
        if accepting.contains(status) { return .success(()) }
        return .failure(ProtocolError(.participantNotFound, "no participant \(pid) in this session"))
    }

    private static func joinOutcome(_ reply: RedisValue, _ join: SharedJoin) -> Result<SharedJoinOutcome, ProtocolError> {
        let sessionID = join.sessionID
        guard let items = reply.array, let status = items.first?.string else {
            return .failure(ProtocolError(.serviceUnavailable, "unexpected reply from the shared roster store"))
        }
        switch status {
        case "ok":
            guard items.count == 3, let seq = items[1].integer, let participants = participants(items[2]) else { break }
            return .success(SharedJoinOutcome(
                sessionID: sessionID, participant: join.participant, snapshot: SharedSnapshot(seq: UInt64(seq), participants: participants),
                settings: join.settings, resumeToken: join.resumeToken))
        case "full":
            return .failure(ProtocolError(.sessionFull, "session \(sessionID) is full"))
        default:
            break
        }
        return .failure(ProtocolError(.serviceUnavailable, "the shared roster store could not add the participant"))
    }

    private static func resumeOutcome(_ reply: RedisValue, _ resume: SharedResume) -> Result<SharedJoinOutcome, ProtocolError> {
        guard let items = reply.array, let status = items.first?.string else {
            return .failure(ProtocolError(.serviceUnavailable, "unexpected reply from the shared roster store"))
        }
        switch status {
        case "ok":
            guard items.count == 6, let seq = items[1].integer, let participants = participants(items[2]),
                case .bulk(let self_) = items[3], let participant = SharedRosterJSON.participant(parsing: self_),
                case .bulk(let settingsBytes) = items[4], case .bulk(let missedBytes) = items[5]
            else { break }
            return .success(SharedJoinOutcome(
                sessionID: resume.sessionID, participant: participant, snapshot: SharedSnapshot(seq: UInt64(seq), participants: participants),
                settings: SharedRosterJSON.settings(parsing: settingsBytes) ?? CallSettings(), resumeToken: resume.newResumeToken,
                missed: SharedRosterJSON.events(parsing: missedBytes) ?? []))
        case "gone":
            return .failure(ProtocolError(
                .participantNotFound, "\(resume.pid) is no longer in session \(resume.sessionID): join again without resume"))
        case "token":
            return .failure(ProtocolError(.authTokenInvalid, "the resume token does not match"))
        default:
            break
        }
        return .failure(ProtocolError(.serviceUnavailable, "the shared roster store could not resume the participant"))
    }
}

extension SharedJoin {
    fileprivate func withNewPID() -> SharedJoin {
        var generator = SystemRandomNumberGenerator()
        let suffix = String(generator.next(), radix: 36)
        let p = participant
        let renamed = Participant(
            pid: ParticipantID("p" + suffix), uid: p.uid, name: p.name, avatar: p.avatar, role: p.role, sessionType: p.sessionType,
            isAudioMuted: p.isAudioMuted, isVideoPaused: p.isVideoPaused, isHandRaised: p.isHandRaised, joinedAt: p.joinedAt)
        return SharedJoin(
            connection: connection, requestID: requestID, sessionID: sessionID, participant: renamed, settings: settings,
            resumeToken: resumeToken, maxParticipants: maxParticipants)
    }
}
