import SignalHubCluster
import SignalHubCore

/// How `signalhub serve` runs. Every default is the documented one.
public struct ServerConfiguration: Sendable {
    /// Address to listen on. Default `127.0.0.1`; `0.0.0.0` or `::` for every interface.
    public var host: String = "127.0.0.1"
    /// TCP port; 0 picks a free one (reported by `HubServer.start`). Default 8080.
    public var port: Int = 8080
    /// Dev mode turns on `POST /v1/dev/login`. Default off.
    public var devMode: Bool = false
    /// Folder served at `/` (the browser test page); nil serves nothing. Default `web-test-page`.
    public var staticDirectory: String? = "web-test-page"
    /// Lifetime of auth tokens from dev login, in seconds. Default 24 h.
    public var authTokenTTLSeconds: Int64 = 86_400
    /// Lifetime of call tokens minted by `POST /v1/calls/tokens`, in seconds. Default 1 h.
    public var callTokenTTLSeconds: Int64 = 3_600
    /// Largest client WebSocket message, in bytes; a larger one closes with 1009. Default 64 KiB.
    public var maxMessageBytes: Int = 64 * 1024
    /// Largest HTTP request body, in bytes. Default 16 KiB.
    public var maxHTTPBodyBytes: Int = 16 * 1024
    /// How long a graceful shutdown waits for sockets to take their close, in milliseconds.
    /// Default 3 s.
    public var shutdownTimeoutMs: Int64 = 3_000
    /// Bytes queued to one socket before its backlog of roster events is replaced by a
    /// snapshot (and, if it falls behind again, it is dropped). Default 1 MiB.
    public var maxQueuedBytesPerSocket: Int = 1 << 20
    /// After a write, a socket waits this long (microseconds) before its next one, so that
    /// what is queued for it meanwhile goes out together, one frame and one `send()`. A
    /// socket not written for longer is written at the end of the loop pass that queued
    /// for it, so quiet traffic gets no delay; only a socket receiving faster than one
    /// message per interval waits, at most this long. 0 writes at the end of every pass.
    /// Default 0: in the loopback benchmarks (BENCHMARKS.md) it saved nothing. The moderate
    /// load rarely has two messages to merge, and under heavy load back-pressure batches
    /// anyway. It is for many fast readers each getting a dense stream.
    public var writeCoalescingMicroseconds: Int64 = 0
    /// Open WebSocket connections at most; further upgrades are refused. Default 100 000.
    public var maxConnections: Int = 100_000
    /// Browser origins allowed to open sockets (exact `scheme://host[:port]`); empty allows
    /// any. Clients that send no `Origin` (native apps) are always allowed.
    public var allowedOrigins: [String] = []
    /// Serves the diagnostic echo socket at `/v1/echo`. Default off.
    public var echoEnabled: Bool = false
    /// Serves https and wss with this certificate and key (PEM files). Default nil: plain.
    public var tls: TLSFiles?
    /// The roster logic's limits and timings (grace period, join timeout, caps, heartbeat).
    public var hub = HubConfiguration()
    /// Heap blocks at least this large get pages of their own (glibc's `M_MMAP_THRESHOLD`,
    /// process-wide), handed back to the system as soon as they are freed. Join bursts
    /// encode a large `joined` snapshot per joiner; in the shared heap those left a
    /// kilobyte of fragmented memory per participant behind. nil keeps glibc's default.
    /// Default 12 KiB: above lws's 8 KiB header buffer, which every WebSocket handshake
    /// takes and gives back (at 4 KiB that was an mmap and a munmap per join, some 6% of
    /// a join storm), and below the snapshot of a session of about 100.
    public var ownPagesFromBytes: Int? = 12 * 1024
    /// Multi-node mode: share rosters with the other nodes on this Redis. Default nil:
    /// this hub runs alone, in memory.
    public var cluster: ClusterConfiguration?

    public init() {}
}

/// A PEM certificate chain and its private key.
public struct TLSFiles: Sendable, Hashable {
    public var certificatePath: String
    public var privateKeyPath: String

    public init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }
}
