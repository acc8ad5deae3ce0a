import SignalHubWire

public struct HTTPExchangeID: Hashable, Sendable {
    let rawValue: UInt64
}

/// One HTTP request on the API, from its headers to its response.
final class HTTPExchange {
    let id: HTTPExchangeID
    let wsi: OpaquePointer
    let route: HTTPRoute
    let bearerToken: String?
    var body: [UInt8] = []
    var bodyTooLarge = false
    var response: HTTPResponse?

    init(id: HTTPExchangeID, wsi: OpaquePointer, route: HTTPRoute, bearerToken: String?) {
        self.id = id
        self.wsi = wsi
        self.route = route
        self.bearerToken = bearerToken
    }
}

struct HTTPResponse {
    var status: UInt32
    var contentType: String
    /// nil for an empty body (204).
    var body: OutboundFrame?
}
