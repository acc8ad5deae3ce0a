extension ClientEngine {
    /// How a client engine sets up its libwebsockets context. The defaults suit an app
    /// with a few connections; the load tool, with thousands, changes both.
    public struct Configuration: Sendable {
        /// How many descriptors to make room for when the engine starts. Default 0, none.
        /// A program that will open thousands of sockets passes about that many: Linux
        /// then grows the process's descriptor table once, up front, instead of at each
        /// doubling mid-run, where in a process with threads every growth stalls the
        /// service thread for an RCU grace period (10 to 30 ms here).
        public var reservedDescriptors: Int = 0

        /// Whether lws watches each connection for silence (its default idle policy: a
        /// ping after 300 s without a frame, a hangup at 310 s). Default true. lws keeps
        /// that timer per connection in one sorted list and re-inserts it on every frame
        /// received, a walk over all connections each time; a program that runs thousands
        /// of connections under its own deadlines turns it off.
        public var lwsIdleCheck: Bool = true

        public init() {}
    }
}
