import CLibWebSockets

#if canImport(Glibc)
import Glibc
#endif

/// The C structures lws keeps pointers to for the whole life of a context: protocol
/// table, mounts, keepalive policy and their strings. Freed after the context is gone.
final class LWSContextResources {
    static let protocolName = "signalhub.v1"
    /// lws's receive buffer per WebSocket connection.
    static let receiveBufferBytes = 512
    /// The most lws hands to one send(): a whole batch frame (`BatchBuffer` holds 64 KiB).
    static let sendChunkBytes = 64 * 1024 + 16

    private let strings: [UnsafeMutablePointer<CChar>]
    let protocols: UnsafeMutablePointer<lws_protocols>
    let mounts: UnsafeMutablePointer<lws_http_mount>
    let mountCount: Int
    let retry: UnsafeMutablePointer<lws_retry_bo_t>
    let iface: UnsafePointer<CChar>?
    let certificatePath: UnsafePointer<CChar>?
    let privateKeyPath: UnsafePointer<CChar>?

    init(configuration: ServerConfiguration, staticDirectory: String?) {
        var strings: [UnsafeMutablePointer<CChar>] = []
        func keep(_ string: String) -> UnsafePointer<CChar> {
            let copy = strdup(string)!
            strings.append(copy)
            return UnsafePointer(copy)
        }

        protocols = .allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        protocols[0].name = keep(Self.protocolName)
        protocols[0].callback = signalHubCallback
        // lws allocates this receive buffer for every connection when it is established,
        // so it is the largest part of a connection's memory: keep it small. Almost every
        // client message but `join` (about 600 bytes with its token) and `signal` fits;
        // larger ones arrive in chunks and are assembled in Swift.
        protocols[0].rx_buffer_size = Self.receiveBufferBytes
        // With 0 here, lws also caps every send() at the receive buffer's size: a batched
        // frame or a `joined` snapshot went out 512 bytes at a time, each piece after a
        // POLLOUT round trip (12 sends per frame under the heavy benchmark).
        protocols[0].tx_packet_size = Self.sendChunkBytes

        // Callback mounts route the API to our protocol; the rest is the static page.
        var points: [(String, Bool)] = [("/v1", false), ("/healthz", false), ("/metrics", false)]
        if staticDirectory != nil { points.append(("/", true)) }
        mountCount = points.count
        mounts = .allocate(capacity: points.count)
        mounts.initialize(repeating: lws_http_mount(), count: points.count)
        for (index, (point, isFile)) in points.enumerated() {
            mounts[index].mountpoint = keep(point)
            mounts[index].mountpoint_len = UInt8(point.utf8.count)
            if isFile, let staticDirectory {
                mounts[index].origin = keep(staticDirectory)
                mounts[index].def = keep("index.html")
                mounts[index].origin_protocol = UInt8(LWSMPRO_FILE.rawValue)
            } else {
                mounts[index].protocol = keep(Self.protocolName)
                mounts[index].origin_protocol = UInt8(LWSMPRO_CALLBACK.rawValue)
            }
            if index + 1 < points.count { mounts[index].mount_next = UnsafePointer(mounts + index + 1) }
        }

        // Keepalive is the hub's own once-a-second sweep (HubService+Keepalive). lws's is a
        // timer per connection in one sorted linked list, re-inserted on every frame
        // received: at 10,000 sockets those walks took most of an idle hub's CPU. A hangup
        // time of 0 turns lws's off (a ping time of 0 would mean its 300 s default).
        retry = .allocate(capacity: 1)
        retry.initialize(to: lws_retry_bo_t())
        retry.pointee.secs_since_valid_ping = 1
        retry.pointee.secs_since_valid_hangup = 0

        let host = configuration.host
        iface = (host.isEmpty || host == "0.0.0.0" || host == "::") ? nil : keep(host)
        certificatePath = configuration.tls.map { keep($0.certificatePath) }
        privateKeyPath = configuration.tls.map { keep($0.privateKeyPath) }
        self.strings = strings
    }

    deinit {
        protocols.deinitialize(count: 2)
        protocols.deallocate()
        mounts.deinitialize(count: mountCount)
        mounts.deallocate()
        retry.deinitialize(count: 1)
        retry.deallocate()
        for string in strings { free(string) }
    }
}
