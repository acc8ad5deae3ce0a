import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// N connected loopback TCP pairs: the writers stand for the hub's sockets, the readers
/// for its clients, drained by one reading thread.
final class LoopbackPairs: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private(set) var writers: [Int32] = []
    private var readers: [Int32] = []

    init(count: Int) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound, listen(listener, 1024) == 0 else { throw Failure(description: "cannot listen on loopback") }
        defer { close(listener) }
        for _ in 0..<count {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) == 0 }
            }
            let server = accept(listener, nil, nil)
            guard connected, server >= 0 else { throw Failure(description: "cannot connect loopback pair") }
            var one: Int32 = 1
            setsockopt(server, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            writers.append(server)
            readers.append(client)
        }
    }

    /// Reads frames in the order the writer sends them (round robin), one whole frame at a
    /// time, so the reader does no polling that would inflate the floor.
    func drain(frameBytes: Int, frames: Int) {
        var buffer = [UInt8](repeating: 0, count: frameBytes)
        buffer.withUnsafeMutableBytes { raw in
            for index in 0..<frames {
                let got = recv(readers[index % readers.count], raw.baseAddress, frameBytes, Int32(MSG_WAITALL))
                if got <= 0 { return }
            }
        }
    }

    func closeWriters() { writers.forEach { close($0) } }
}
