import CoreMetrics
import Prometheus
import SignalHubCore

/// The hub's Prometheus metrics. Handles are made once, so recording on the hot path
/// touches only atomics.
final class HubMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let connectionsOpened: CoreMetrics.Counter
    let joins: CoreMetrics.Counter
    let messagesReceived: CoreMetrics.Counter
    /// Messages queued to sockets, one per recipient.
    let messagesSent: CoreMetrics.Counter
    /// WebSocket frames written: below `messagesSent` by what batching saved.
    let framesWritten: CoreMetrics.Counter
    let rosterEvents: CoreMetrics.Counter
    let slowConsumerSnapshots: CoreMetrics.Counter
    let slowConsumersDropped: CoreMetrics.Counter
    let errors: [ErrorCode: CoreMetrics.Counter]
    let connections: CoreMetrics.Gauge
    let sessions: CoreMetrics.Gauge
    let participants: CoreMetrics.Gauge

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        let factory = PrometheusMetricsFactory(registry: registry)
        connectionsOpened = CoreMetrics.Counter(label: "signalhub_websocket_connections_opened_total", factory: factory)
        joins = CoreMetrics.Counter(label: "signalhub_joins_total", factory: factory)
        messagesReceived = CoreMetrics.Counter(label: "signalhub_messages_received_total", factory: factory)
        messagesSent = CoreMetrics.Counter(label: "signalhub_messages_sent_total", factory: factory)
        framesWritten = CoreMetrics.Counter(label: "signalhub_frames_written_total", factory: factory)
        rosterEvents = CoreMetrics.Counter(label: "signalhub_roster_events_total", factory: factory)
        slowConsumerSnapshots = CoreMetrics.Counter(label: "signalhub_slow_consumer_snapshots_total", factory: factory)
        slowConsumersDropped = CoreMetrics.Counter(label: "signalhub_slow_consumers_dropped_total", factory: factory)
        var errors: [ErrorCode: CoreMetrics.Counter] = [:]
        for code in ErrorCode.allCases {
            errors[code] = CoreMetrics.Counter(label: "signalhub_errors_total", dimensions: [("code", code.rawValue)], factory: factory)
        }
        self.errors = errors
        connections = CoreMetrics.Gauge(label: "signalhub_websocket_connections", factory: factory)
        sessions = CoreMetrics.Gauge(label: "signalhub_sessions", factory: factory)
        participants = CoreMetrics.Gauge(label: "signalhub_participants", factory: factory)
    }

    /// Counts what an outgoing message means, once per message (not per recipient).
    func record(_ message: ServerMessage, recipients: Int) {
        messagesSent.increment(by: Int64(recipients))
        switch message {
        case .participantJoined, .participantUpdated, .participantLeft: rosterEvents.increment()
        case .joined: joins.increment()
        case .error(let error): errors[error.code]?.increment()
        default: break
        }
    }

    func emit() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
