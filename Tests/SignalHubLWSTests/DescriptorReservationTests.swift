import CLibWebSockets
import Foundation
import Testing

/// `shlws_reserve_descriptors` grows the kernel's descriptor table at start-up. That it
/// does is checked on a real hub process (tests/e2e: `FDSize` in /proc/PID/status); here,
/// in a test process whose other suites run live hubs in parallel and so grow the table
/// themselves, only what does not depend on the table's size.
@Suite("reserving the descriptor table")
struct DescriptorReservationTests {
    @Test func aCountAboveTheOpenFilesLimitIsRefused() {
        let limit = shlws_raise_fd_limit(1 << 16)
        errno = 0
        #expect(shlws_reserve_descriptors(limit + 1) == -1)
        #expect(errno == EINVAL)
    }

    @Test func countsOfZeroAndOneAskForNothing() {
        #expect(shlws_reserve_descriptors(0) == 0)
        #expect(shlws_reserve_descriptors(1) == 0)
    }
}
