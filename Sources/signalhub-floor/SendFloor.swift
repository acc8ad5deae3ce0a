import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The physical floor for the hub's fan-out: what one `send()` of a frame costs on this
/// machine, to one of N loopback TCP sockets, with a reader thread draining them (so the
/// receiving side's TCP work is counted too, as it is when the hub runs beside its
/// clients). The benchmark scenarios divide the hub's CPU per delivered event by this.
@main
struct SendFloor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signalhub-floor", abstract: "Measure the CPU cost of one loopback send() per frame, the floor for fan-out.")

    @Option(help: "Loopback TCP connections to spread the sends over.") var sockets = 200
    @Option(help: "Bytes per message (a participantUpdated is about 300).") var size = 300
    @Option(help: "Messages per send() (1: one send per message; 8: a batch).") var batch = 1
    @Option(help: "How many send() calls to time.") var sends = 200_000
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let pairs = try LoopbackPairs(count: sockets)
        let frame = [UInt8](repeating: UInt8(ascii: "x"), count: size * batch)
        let warmup = min(sends / 10, 10_000)
        let done = DispatchSemaphore(value: 0)
        let (frameBytes, frames) = (frame.count, warmup + sends)
        let reader = Thread {
            pairs.drain(frameBytes: frameBytes, frames: frames)
            done.signal()
        }
        reader.start()
        // Warm up the connections and the caches, then time.
        write(frame, pairs: pairs, count: warmup)
        let before = cpuSeconds()
        let wallStart = Date()
        write(frame, pairs: pairs, count: sends)
        done.wait()  // the reader's share of the work is part of the cost
        let cpu = cpuSeconds() - before
        let wall = Date().timeIntervalSince(wallStart)
        pairs.closeWriters()
        let perSend = cpu / Double(sends) * 1_000_000
        let perMessage = perSend / Double(batch)
        if json {
            print(#"{"sockets":\#(sockets),"bytesPerMessage":\#(size),"messagesPerSend":\#(batch),"sends":\#(sends),"cpuSeconds":\#(cpu),"wallSeconds":\#(wall),"microsecondsPerSend":\#(perSend),"microsecondsPerMessage":\#(perMessage)}"#)
        } else {
            print(String(format: "%d sends of %d x %d bytes over %d sockets: %.3f s CPU, %.3f s wall = %.2f us per send, %.2f us per message",
                         sends, batch, size, sockets, cpu, wall, perSend, perMessage))
        }
    }

    private func write(_ frame: [UInt8], pairs: LoopbackPairs, count: Int) {
        frame.withUnsafeBytes { bytes in
            for index in 0..<count {
                var offset = 0
                let fd = pairs.writers[index % pairs.writers.count]
                while offset < bytes.count {
                    let sent = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                    if sent <= 0 { return }
                    offset += sent
                }
            }
        }
    }

    /// User plus system CPU of the whole process: the writer and the draining reader.
    private func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
