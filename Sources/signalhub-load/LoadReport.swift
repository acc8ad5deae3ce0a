import Foundation

/// What a load run measured, as a table for people and JSON for scripts.
struct LoadReport: Sendable {
    struct PlanSummary: Sendable, Codable {
        let sessions: Int
        let participantsPerSession: Int
        let rampPerSecond: Double
        let toggleRate: Double
        let closedLoop: Bool
        let duration: Double
        let ending: String
        init(_ plan: LoadPlan) {
            sessions = plan.sessions
            participantsPerSession = plan.participantsPerSession
            rampPerSecond = plan.rampPerSecond
            toggleRate = plan.toggleRate
            closedLoop = plan.closedLoop
            duration = plan.duration
            ending = plan.ending.rawValue
        }
    }

    var plan: PlanSummary?
    var joined = 0
    var failedJoins = 0
    /// The most joins in flight at once (connected or connecting, no answer yet): at most
    /// `--max-pending` when that is set.
    var peakPendingJoins = 0
    var unexpectedCloses = 0
    var rampSeconds = 0.0
    var rostersCompleteSeconds = 0.0
    var steadySeconds = 0.0
    var togglesSent = 0
    var eventsDelivered = 0
    var seqGaps = 0
    var inconsistentRosters = 0
    var errors: [String: Int] = [:]
    var joinLatency: LatencySummary?
    /// Connect to the WebSocket being open: the part of `joinLatency` before the `join`.
    var handshakeLatency: LatencySummary?
    /// `joinLatency` split by the tenth of the planned ramp in which each member connected.
    var joinLatencyByRampTenth: [LatencySummary] = []
    var fanOutLatency: LatencySummary?
    var hubAtStart: ProcessStats?
    var hubAtSteadyStart: ProcessStats?
    var hubAtSteadyEnd: ProcessStats?
    var hubAtRostersComplete: ProcessStats?
    /// The load tool's own CPU: on a shared machine it bounds what the hub can be shown to do.
    var loadAtStart: ProcessStats?
    var loadAtRostersComplete: ProcessStats?
    var loadAtSteadyStart: ProcessStats?
    var loadAtSteadyEnd: ProcessStats?

    var eventsPerSecond: Double { steadySeconds > 0 ? Double(eventsDelivered) / steadySeconds : 0 }

    /// Hub CPU microseconds per delivered event during the steady phase.
    var hubMicrosecondsPerEvent: Double? {
        guard let start = hubAtSteadyStart, let end = hubAtSteadyEnd, eventsDelivered > 0 else { return nil }
        return (end.cpuSeconds - start.cpuSeconds) * 1_000_000 / Double(eventsDelivered)
    }

    var hubCPUSecondsSteady: Double? {
        guard let start = hubAtSteadyStart, let end = hubAtSteadyEnd else { return nil }
        return end.cpuSeconds - start.cpuSeconds
    }

    /// Load tool CPU microseconds per delivered event during the steady phase.
    var loadMicrosecondsPerEvent: Double? {
        guard let start = loadAtSteadyStart, let end = loadAtSteadyEnd, eventsDelivered > 0 else { return nil }
        return (end.cpuSeconds - start.cpuSeconds) * 1_000_000 / Double(eventsDelivered)
    }

    /// CPU seconds from the first connect until every roster was complete: (hub, load tool).
    var joinPhaseCPUSeconds: (hub: Double?, load: Double?) {
        func spent(_ start: ProcessStats?, _ end: ProcessStats?) -> Double? { start.flatMap { s in end.map { $0.cpuSeconds - s.cpuSeconds } } }
        return (spent(hubAtStart, hubAtRostersComplete), spent(loadAtStart, loadAtRostersComplete))
    }

    /// Hub memory per joined participant beyond what it used before the run.
    var hubBytesPerParticipant: Double? {
        guard let start = hubAtStart, let loaded = hubAtSteadyStart, joined > 0 else { return nil }
        return Double(loaded.residentBytes - start.residentBytes) / Double(joined)
    }

    var passed: Bool { failedJoins == 0 && seqGaps == 0 && inconsistentRosters == 0 && unexpectedCloses == 0 && errors.isEmpty }

    func table() -> String {
        func ms(_ s: LatencySummary?) -> String {
            guard let s, s.count > 0 else { return "-" }
            return String(format: "p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms  (n=%llu)", s.p50, s.p90, s.p99, s.p999, s.max, s.count)
        }
        var lines: [String] = []
        if let plan {
            lines.append("plan          \(plan.sessions) sessions x \(plan.participantsPerSession), ramp \(Int(plan.rampPerSecond))/s, "
                + (plan.closedLoop ? "closed loop" : "\(Int(plan.toggleRate)) toggles/s") + ", \(plan.duration) s, then \(plan.ending)")
        }
        lines.append("joined        \(joined) (failed \(failedJoins)) in \(String(format: "%.3f", rampSeconds)) s; every roster complete at \(String(format: "%.3f", rostersCompleteSeconds)) s")
        lines.append("join latency  \(ms(joinLatency))")
        lines.append("  handshake   \(ms(handshakeLatency))  (connect to WebSocket open)")
        if joinLatencyByRampTenth.contains(where: { $0.count > 0 }) {
            lines.append("  p99 by tenth of the ramp  " + joinLatencyByRampTenth.map { $0.count > 0 ? String(format: "%.1f", $0.p99) : "-" }.joined(separator: " ") + " ms")
        }
        lines.append("fan-out       \(ms(fanOutLatency))")
        lines.append("delivered     \(eventsDelivered) events in \(String(format: "%.2f", steadySeconds)) s = \(Int(eventsPerSecond))/s from \(togglesSent) toggles")
        if let cpu = hubCPUSecondsSteady, let perEvent = hubMicrosecondsPerEvent {
            lines.append("hub CPU       \(String(format: "%.3f", cpu)) s steady = \(String(format: "%.2f", perEvent)) us per delivered event")
        }
        if let perEvent = loadMicrosecondsPerEvent, let start = loadAtSteadyStart, let end = loadAtSteadyEnd {
            lines.append("load CPU      \(String(format: "%.3f", end.cpuSeconds - start.cpuSeconds)) s steady = \(String(format: "%.2f", perEvent)) us per delivered event (this tool)")
        }
        let joinCPU = joinPhaseCPUSeconds
        if joinCPU.hub != nil || joinCPU.load != nil {
            func s(_ v: Double?) -> String { v.map { String(format: "%.3f s", $0) } ?? "-" }
            lines.append("join CPU      hub \(s(joinCPU.hub)), load tool \(s(joinCPU.load)) (first connect to every roster complete)")
        }
        if let start = hubAtStart, let loaded = hubAtSteadyStart {
            lines.append("hub RSS       \(start.residentBytes / 1024) KiB empty, \(loaded.residentBytes / 1024) KiB loaded"
                + (hubBytesPerParticipant.map { String(format: " = %.0f bytes per participant", $0) } ?? ""))
        }
        lines.append("consistency   seq gaps \(seqGaps), rosters disagreeing \(inconsistentRosters), unexpected closes \(unexpectedCloses)")
        lines.append("errors        " + (errors.isEmpty ? "none" : errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")))
        lines.append(passed ? "result        PASS" : "result        FAIL")
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        var object: [String: Any] = [
            "joined": joined, "failedJoins": failedJoins, "peakPendingJoins": peakPendingJoins, "unexpectedCloses": unexpectedCloses, "rampSeconds": rampSeconds,
            "rostersCompleteSeconds": rostersCompleteSeconds, "steadySeconds": steadySeconds, "togglesSent": togglesSent,
            "eventsDelivered": eventsDelivered, "eventsPerSecond": eventsPerSecond, "seqGaps": seqGaps,
            "inconsistentRosters": inconsistentRosters, "errors": errors, "passed": passed,
        ]
        func latency(_ s: LatencySummary?) -> Any {
            guard let s else { return NSNull() }
            return ["count": s.count, "p50Ms": s.p50, "p90Ms": s.p90, "p99Ms": s.p99, "p999Ms": s.p999, "maxMs": s.max]
        }
        object["joinLatency"] = latency(joinLatency)
        object["handshakeLatency"] = latency(handshakeLatency)
        object["joinLatencyByRampTenth"] = joinLatencyByRampTenth.map(latency)
        object["fanOutLatency"] = latency(fanOutLatency)
        if let plan { object["plan"] = ["sessions": plan.sessions, "participantsPerSession": plan.participantsPerSession,
                                        "rampPerSecond": plan.rampPerSecond, "toggleRate": plan.toggleRate,
                                        "closedLoop": plan.closedLoop, "duration": plan.duration, "ending": plan.ending] }
        if let cpu = hubCPUSecondsSteady { object["hubCPUSecondsSteady"] = cpu }
        if let perEvent = hubMicrosecondsPerEvent { object["hubMicrosecondsPerEvent"] = perEvent }
        if let perEvent = loadMicrosecondsPerEvent { object["loadMicrosecondsPerEvent"] = perEvent }
        if let cpu = joinPhaseCPUSeconds.hub { object["hubCPUSecondsJoinPhase"] = cpu }
        if let cpu = joinPhaseCPUSeconds.load { object["loadCPUSecondsJoinPhase"] = cpu }
        if let start = hubAtStart { object["hubRSSBytesEmpty"] = start.residentBytes }
        if let loaded = hubAtSteadyStart { object["hubRSSBytesLoaded"] = loaded.residentBytes }
        if let perParticipant = hubBytesPerParticipant { object["hubBytesPerParticipant"] = perParticipant }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
