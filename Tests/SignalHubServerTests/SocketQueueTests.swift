import SignalHubCore
import SignalHubWire
import Testing

@testable import SignalHubServer

/// A socket's queue of frames: one slot for the usual single frame, a deque behind it.
@Suite("A socket's outgoing queue")
struct SocketQueueTests {
    /// Never dereferenced: the queue does not touch lws.
    let wsi = OpaquePointer(bitPattern: 0x10)!

    func frame(_ text: String) -> OutboundFrame {
        Array(text.utf8).withUnsafeBytes { OutboundFrame(headroom: 0, copying: $0) }
    }

    func queued(_ text: String, replaceable: Bool) -> WebSocketConnection.Queued {
        WebSocketConnection.Queued(frame: frame(text), replaceable: replaceable)
    }

    func drain(_ socket: WebSocketConnection) -> [String] {
        var texts: [String] = []
        while let item = socket.dequeue() { texts.append(item.frame.text) }
        return texts
    }

    @Test func framesLeaveInTheOrderTheyCameAndTheBytesAddUp() {
        let socket = WebSocketConnection(id: ConnectionID(1), wsi: wsi, kind: .signaling, now: 0)
        #expect(socket.isIdle)
        for text in ["a", "bb", "ccc"] { socket.enqueue(queued(text, replaceable: true)) }
        #expect(socket.queuedBytes == 6)
        #expect(socket.next?.frame.text == "a")
        #expect(socket.dequeue()?.frame.text == "a")
        socket.enqueue(queued("dddd", replaceable: false))
        #expect(drain(socket) == ["bb", "ccc", "dddd"])
        #expect(socket.isIdle && socket.queuedBytes == 0)
        socket.enqueue(queued("e", replaceable: false))  // the single slot again
        #expect(drain(socket) == ["e"])
    }

    @Test func droppingReplaceableFramesKeepsTheRestInOrder() {
        let socket = WebSocketConnection(id: ConnectionID(1), wsi: wsi, kind: .signaling, now: 0)
        let items = [("event1", true), ("ack1", false), ("event2", true), ("error", false), ("event3", true)]
        for (text, replaceable) in items { socket.enqueue(queued(text, replaceable: replaceable)) }
        socket.dropReplaceable()
        #expect(socket.queuedBytes == 9)
        #expect(drain(socket) == ["ack1", "error"])

        socket.enqueue(queued("event4", replaceable: true))
        socket.dropReplaceable()
        #expect(socket.isIdle && socket.queuedBytes == 0)
    }

    @Test func aReplacementSnapshotIsAwaitedUntilItIsWritten() {
        let socket = WebSocketConnection(id: ConnectionID(1), wsi: wsi, kind: .signaling, now: 0)
        socket.enqueue(queued("ack", replaceable: false))
        var snapshot = queued("roster", replaceable: true)
        snapshot.isReplacementSnapshot = true
        socket.enqueue(snapshot)
        #expect(socket.awaitingReplacementSnapshot)
        _ = socket.dequeue()
        #expect(socket.awaitingReplacementSnapshot)
        _ = socket.dequeue()
        #expect(!socket.awaitingReplacementSnapshot)
    }
}
