import Glibc
import SignalHubCore

// The libFuzzer entry point. One input is one run against a fresh hub:
//
//   byte 0      configuration: bit 0 grace period 0 (else 5 s), bit 1 no event history
//               (else 6 events), bit 2 no rate limit (else 20/s, burst 8, closing the
//               socket after 3 refusals)
//   the rest    operations, separated by 0x00 or 0x1E; the first byte of each picks the
//               operation (mod 11), the bytes after it are its arguments (Harness.run)
//
// Every operation's actions and the hub's state afterwards go through Checker, which
// calls fatalError (a crash, for libFuzzer) on any broken invariant.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var harness = Harness(configurationByte: bytes[0])
    for chunk in bytes.dropFirst().split(whereSeparator: { $0 == 0x00 || $0 == 0x1E }) {
        harness.run(chunk)
    }
    harness.finish()
    return 0
}

/// SplitMix64: a tiny seeded generator, so that pids and resume tokens (and therefore
/// every run) depend on the input alone.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// SIGNALHUB_FUZZ_TRACE=1 prints every operation and action (to read what an input does).
let traceMode = getenv("SIGNALHUB_FUZZ_TRACE").map { String(cString: $0) == "1" } ?? false

func trace(_ line: @autoclosure () -> String) {
    guard traceMode else { return }
    var text = line() + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func violation(_ message: @autoclosure () -> String) -> Never {
    fatalError("SignalHub invariant violated: \(message())")
}
