import ArgumentParser
import Foundation
import SignalHubAuth
import SignalHubClient
import SignalHubCore

@main
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signalhub-load",
        abstract: "Drive a running hub with many members: join storms, mute toggles, leaves or drops; measure it.",
        discussion: """
            Call tokens are minted locally with the hub's app secret (SIGNALHUB_SECRET), so
            the run measures the hub, not the token endpoint.

              SIGNALHUB_SECRET=... signalhub-load --hub http://127.0.0.1:8080 --sessions 20 --participants 10 --rate 2000 --duration 10

            Exits 0 when every member joined, saw no seq gap and agreed with the others at the
            end, and no error came back; 1 otherwise.
            """
    )

    @Option(help: "The hub's URL; repeat it for the nodes of a cluster, and each session's members spread over them (default: http://127.0.0.1:8080).")
    var hub: [String] = []
    @Option(help: "Sessions to fill.") var sessions = 2
    @Option(help: "Participants per session.") var participants = 5
    @Option(help: "New connections per second while ramping up.") var ramp = 500.0
    @Option(help: "At most this many members joining at once while ramping up (default: no cap).") var maxPending = 0
    @Option(help: "Mute toggles per second over all senders (open loop).") var rate = 100.0
    @Flag(help: "Closed loop: each sender toggles again as soon as its last toggle came back.") var closedLoop = false
    @Option(help: "Participants per session that toggle (default: all).") var senders: Int?
    @Option(help: ArgumentHelp("Length of the steady phase.", valueName: "seconds")) var duration = 3.0
    @Option(help: "How members go at the end: leave or drop.") var end = "leave"
    @Option(help: ArgumentHelp("Spread client sockets over this many loopback source addresses (127.0.0.1, .2, ...).", valueName: "count"))
    var sourceAddresses = 1
    @Option(help: "The hub's process ID, to report its CPU and memory from /proc; repeat it for every node (summed).") var hubPid: [Int32] = []
    @Option(help: "Prefix of the session IDs.") var sessionPrefix = "load"
    @Option(help: "Members per session that keep a full roster replica (default: all; others track seq only).") var trackRosters: Int?
    @Flag(help: "Print the report as JSON.") var json = false

    private var hubURLs: [String] { hub.isEmpty ? ["http://127.0.0.1:8080"] : hub }

    func validate() throws {
        guard sessions >= 1, participants >= 1, ramp > 0, rate >= 0, duration > 0, maxPending >= 0 else {
            throw ValidationError("sessions and participants must be at least 1; ramp, duration positive; rate and max-pending 0 or more")
        }
        guard LoadPlan.Ending(rawValue: end) != nil else { throw ValidationError("--end is leave or drop") }
        guard (1...254).contains(sourceAddresses) else { throw ValidationError("--source-addresses must be 1-254") }
        guard hubURLs.allSatisfy({ HubEndpoint(url: $0) != nil }) else { throw ValidationError("--hub must be an http(s) or ws(s) URL") }
    }

    func run() async throws {
        guard let secret = ProcessInfo.processInfo.environment["SIGNALHUB_SECRET"], !secret.isEmpty else {
            throw ValidationError("set SIGNALHUB_SECRET to the hub's app secret")
        }
        var plan = LoadPlan()
        plan.sessions = sessions
        plan.participantsPerSession = participants
        plan.rampPerSecond = ramp
        plan.maxPendingJoins = maxPending
        plan.toggleRate = rate
        plan.closedLoop = closedLoop
        plan.sendersPerSession = senders ?? Int.max
        plan.duration = duration
        plan.ending = LoadPlan.Ending(rawValue: end)!
        plan.sourceAddresses = sourceAddresses > 1 ? (1...sourceAddresses).map { "127.0.0.\($0)" } : []
        plan.trackedRostersPerSession = trackRosters ?? Int.max
        plan.sessionPrefix = "\(sessionPrefix)-\(UInt32.random(in: 0...UInt32.max))"

        let tokens = try await mintTokens(plan: plan, secret: Array(secret.utf8))
        let finalPlan = plan
        var engineConfiguration = ClientEngine.Configuration()
        engineConfiguration.reservedDescriptors = plan.totalParticipants + 64
        engineConfiguration.lwsIdleCheck = false  // every phase of a run has its own deadline
        let engine = ClientEngine(configuration: engineConfiguration)
        try await engine.start()
        let endpoints = hubURLs.map { HubEndpoint(url: $0)! }
        let hubPIDs = hubPid
        let holder = DriverHolder()
        let report: LoadReport = await withCheckedContinuation { continuation in
            engine.perform { loop in
                let driver = LoadDriver(plan: finalPlan, endpoints: endpoints, hubPIDs: hubPIDs, tokens: tokens, loop: loop) { report in
                    continuation.resume(returning: report)
                }
                holder.driver = driver
                driver.start()
            }
        }
        await engine.shutdown()
        print(json ? report.json() : report.table())
        if !report.passed { throw ExitCode(1) }
    }

    private func mintTokens(plan: LoadPlan, secret: [UInt8]) async throws -> [String] {
        let service = try await TokenService(secret: secret)
        var tokens: [String] = []
        tokens.reserveCapacity(plan.totalParticipants)
        for index in 0..<plan.totalParticipants {
            let session = SessionID(validating: "\(plan.sessionPrefix)-\(index % plan.sessions)")!
            let identity = AuthIdentity(uid: "load-\(index)", name: "Load \(index)")
            tokens.append(try await service.issueCallToken(for: identity, sessionID: session, ttlSeconds: 3_600).token)
        }
        return tokens
    }
}

/// Keeps the driver alive while it runs (its participants hold it unowned).
final class DriverHolder: @unchecked Sendable {
    /// Set and cleared on the engine's service thread only.
    var driver: LoadDriver?
}
