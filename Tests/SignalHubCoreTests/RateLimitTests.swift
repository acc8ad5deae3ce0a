@testable import SignalHubCore
import Testing

@Suite("rate limit: a token bucket per socket")
struct RateLimitTests {
    let limit = RateLimit(messagesPerSecond: 10, burst: 5, strikesBeforeClose: 3)

    @Test func aBurstPassesThenMessagesAreRefusedThenTheSocketIsClosed() throws {
        var h = HubHarness { $0.rateLimit = limit }
        let alice = try h.join("alice")  // the join used one token
        let bob = try h.join("bob")
        var verdicts: [String] = []
        for _ in 0..<12 {
            let actions = h.send(.ping(ts: nil), requestID: "x", from: alice.connection)
            if actions.closes(of: alice.connection) == [.policyViolation] {
                verdicts.append("close")
            } else if actions.messages(to: alice.connection).first?.protocolError?.code == .rateLimited {
                verdicts.append("refuse")
            } else if actions.isEmpty {
                verdicts.append("ignored")
            } else {
                verdicts.append("ok")
            }
        }
        // Four tokens left after the join, three strikes allowed, then nothing is read.
        #expect(verdicts == ["ok", "ok", "ok", "ok", "refuse", "refuse", "refuse", "close", "ignored", "ignored", "ignored", "ignored"])
        // Bob saw his own joined reply and nothing of the flood.
        #expect(h.messages(to: bob.connection).count == 1)
    }

    @Test func tokensComeBackWithTime() throws {
        var h = HubHarness { $0.rateLimit = limit }
        let alice = try h.join("alice")
        for _ in 0..<4 { h.send(.ping(ts: nil), from: alice.connection) }
        #expect(h.send(.ping(ts: nil), from: alice.connection).messages(to: alice.connection).first?.protocolError?.code == .rateLimited)
        h.advance(by: 200)  // two tokens at 10 per second
        for _ in 0..<2 {
            guard case .pong? = h.send(.ping(ts: nil), from: alice.connection).messages(to: alice.connection).first else {
                Issue.record("refused after refill"); return
            }
        }
    }

    @Test func theRefusalCarriesTheRequestID() throws {
        var h = HubHarness { $0.rateLimit = RateLimit(messagesPerSecond: 1, burst: 1, strikesBeforeClose: 10) }
        let c = h.open()
        h.send(.ping(ts: nil), from: c)
        let refused = h.send(.changeState(.muteAudio), requestID: "r9", from: c)
        #expect(refused.messages(to: c).first?.protocolError == ProtocolError(.rateLimited, "too many messages: slow down", requestID: "r9"))
    }

    @Test func unlimitedNeverRefuses() throws {
        var h = HubHarness { $0.rateLimit = .unlimited }
        let alice = try h.join("alice")
        for _ in 0..<1_000 {
            #expect(h.send(.ping(ts: nil), from: alice.connection).messages(to: alice.connection).first?.protocolError == nil)
        }
    }
}
