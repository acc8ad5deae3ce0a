import Foundation

/// A process's CPU time and resident memory, from /proc.
struct ProcessStats: Sendable {
    let cpuSeconds: Double
    let residentBytes: Int

    /// The sum over several processes (the nodes of a cluster); nil if any cannot be read.
    static func read(pids: [Int32]) -> ProcessStats? {
        guard !pids.isEmpty else { return nil }
        var cpu = 0.0
        var rss = 0
        for pid in pids {
            guard let stats = read(pid: pid) else { return nil }
            cpu += stats.cpuSeconds
            rss += stats.residentBytes
        }
        return ProcessStats(cpuSeconds: cpu, residentBytes: rss)
    }

    static func ownProcess() -> ProcessStats? { read(pid: ProcessInfo.processInfo.processIdentifier) }

    static func read(pid: Int32) -> ProcessStats? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return nil }
        // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let rssKiB = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? 0
        return ProcessStats(cpuSeconds: (user + system) / ticks, residentBytes: rssKiB * 1024)
    }
}
