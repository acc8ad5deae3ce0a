import CLibWebSockets

/// Where a hub listens, from a URL such as `http://127.0.0.1:8080` or `wss://hub.example`.
public struct HubEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var tls: Bool
    /// Accept a self-signed certificate (tests and local setups only).
    public var allowSelfSigned: Bool

    public init(host: String, port: Int, tls: Bool = false, allowSelfSigned: Bool = false) {
        self.host = host
        self.port = port
        self.tls = tls
        self.allowSelfSigned = allowSelfSigned
    }

    /// Accepts http, https, ws and wss URLs; any path is ignored.
    public init?(url: String, allowSelfSigned: Bool = false) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard ["http", "https", "ws", "wss"].contains(scheme) else { return nil }
        tls = scheme == "https" || scheme == "wss"
        var rest = url[schemeEnd.upperBound...]
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {  // [::1]:8080
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? -1 : (tls ? 443 : 80)
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            port = Int(rest[rest.index(after: colon)...]) ?? -1
        } else {
            host = String(rest)
            port = tls ? 443 : 80
        }
        guard !host.isEmpty, (1...65_535).contains(port) else { return nil }
        self.allowSelfSigned = allowSelfSigned
    }

    var connectFlags: Int32 {
        guard tls else { return 0 }
        return allowSelfSigned ? SHLWS_CLIENT_TLS_SELF_SIGNED : SHLWS_CLIENT_TLS
    }
}
