/// What one load run does. Every default is the "moderate" scenario's shape, small.
struct LoadPlan: Sendable {
    enum Ending: String, Sendable { case leave, drop }

    var sessions = 2
    var participantsPerSession = 5
    /// New connections per second during the ramp.
    var rampPerSecond = 500.0
    /// At most this many members connecting or waiting for `joined` at once during the
    /// ramp (0: no cap, a pure open-loop ramp). Keeps a ramp that outruns the load tool's
    /// own thread from opening sockets it cannot join within the hub's join timeout.
    var maxPendingJoins = 0
    /// Toggles (mute/unmute) per second over all senders; 0 with `closedLoop` false sends none.
    var toggleRate = 100.0
    /// Each sender sends its next toggle when its previous one has come back.
    var closedLoop = false
    /// Participants per session that send toggles (the rest only listen).
    var sendersPerSession = Int.max
    /// Length of the steady phase, in seconds.
    var duration = 3.0
    var ending = Ending.leave
    /// Local addresses to spread client sockets over (127.0.0.x), round robin.
    var sourceAddresses: [String] = []
    var sessionPrefix = "load"
    /// Members per session that keep a full roster replica (the rest track seq only, which
    /// keeps very large runs within the load tool's memory).
    var trackedRostersPerSession = Int.max

    var totalParticipants: Int { sessions * participantsPerSession }
}
