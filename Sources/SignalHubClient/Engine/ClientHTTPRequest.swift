import SignalHubWire

/// An HTTP response as the client engine received it.
public struct HTTPResult: Sendable {
    public let status: Int
    public let body: [UInt8]
}

/// One HTTP request in flight on the service thread.
final class ClientHTTPRequest {
    let headers: [(String, String)]
    let body: OutboundFrame?
    var response: [UInt8] = []
    var status = 0
    var completion: ((Result<HTTPResult, ClientError>) -> Void)?

    init(headers: [(String, String)], body: OutboundFrame?, completion: @escaping (Result<HTTPResult, ClientError>) -> Void) {
        self.headers = headers
        self.body = body
        self.completion = completion
    }

    func finish(_ result: Result<HTTPResult, ClientError>) {
        let completion = self.completion
        self.completion = nil
        completion?(result)
    }
}
