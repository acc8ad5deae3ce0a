@testable import SignalHubCore
import Testing

/// Parses `fields` as a client message object.
func parse(_ fields: [String: JSONValue]) -> Result<ClientEnvelope, ProtocolError> {
    ClientMessageParser.parse(.object(fields))
}

func parsedMessage(_ fields: [String: JSONValue]) -> ClientMessage? {
    try? parse(fields).get().message
}

func parseError(_ fields: [String: JSONValue]) -> ProtocolError? {
    if case .failure(let error) = parse(fields) { error } else { nil }
}

@Suite("validation: ClientMessageParser")
struct MessageValidationTests {
    @Test(arguments: [JSONValue.null, .bool(true), .integer(1), .double(2.5), .string("{}"), .array([.object([:])])])
    func aMessageThatIsNotAnObjectIsAValidationError(value: JSONValue) {
        guard case .failure(let error) = ClientMessageParser.parse(value) else {
            Issue.record("accepted \(value)")
            return
        }
        #expect(error.code == .validationError)
        #expect(error.requestID == nil)
    }

    @Test(arguments: [
        [String: JSONValue](), ["type": .null], ["type": .integer(3)], ["type": .array([.string("ping")])],
        ["type": .string("")], ["type": .string("PING")], ["type": .string("shout")], ["typ": .string("ping")],
    ])
    func aMissingWrongOrUnknownTypeIsAValidationError(fields: [String: JSONValue]) {
        #expect(parseError(fields)?.code == .validationError)
    }

    @Test func everyMessageTypeParses() {
        let pid = JSONValue.string("pABC")
        let cases: [([String: JSONValue], ClientMessage)] = [
            (["type": "muteAudio"], .changeState(.muteAudio)),
            (["type": "unmuteAudio"], .changeState(.unmuteAudio)),
            (["type": "pauseVideo"], .changeState(.pauseVideo)),
            (["type": "resumeVideo"], .changeState(.resumeVideo)),
            (["type": "raiseHand"], .changeState(.raiseHand)),
            (["type": "lowerHand"], .changeState(.lowerHand)),
            (["type": "leave"], .leave),
            (["type": "sync"], .sync),
            (["type": "endSession"], .endSession),
            (["type": "ping"], .ping(ts: nil)),
            (["type": "ping", "ts": .null], .ping(ts: nil)),
            (["type": "ping", "ts": .double(12.5)], .ping(ts: .double(12.5))),
            (["type": "ping", "ts": .integer(1_700_000_000_000)], .ping(ts: .integer(1_700_000_000_000))),
            (["type": "signal", "to": pid, "data": .object(["sdp": "x"])], .signal(to: ParticipantID("pABC"), data: .object(["sdp": "x"]))),
            (["type": "signal", "to": pid, "data": .null], .signal(to: ParticipantID("pABC"), data: .null)),
            (["type": "muteParticipant", "pid": pid], .muteParticipant(ParticipantID("pABC"))),
            (["type": "removeParticipant", "pid": pid], .removeParticipant(ParticipantID("pABC"))),
            (["type": "join", "token": "tok"], .join(token: "tok", settings: CallSettings(), resume: nil)),
            // Unknown fields are ignored.
            (["type": "leave", "extra": .array([])], .leave),
        ]
        for (fields, expected) in cases {
            #expect(parsedMessage(fields) == expected, "\(fields)")
        }
    }

    @Test(arguments: [
        ["type": "ping", "ts": .string("now")], ["type": "ping", "ts": .bool(true)], ["type": "ping", "ts": .object([:])],
        ["type": "signal", "data": .null], ["type": "signal", "to": "pA"], ["type": "signal", "to": "", "data": .null],
        ["type": "signal", "to": .integer(1), "data": .null], ["type": "signal", "to": .string(String(repeating: "p", count: 129)), "data": .null],
        ["type": "muteParticipant"], ["type": "muteParticipant", "pid": .null], ["type": "muteParticipant", "pid": ""],
        ["type": "removeParticipant", "pid": .integer(7)], ["type": "removeParticipant"],
    ] as [[String: JSONValue]])
    func wrongFieldTypesAreValidationErrors(fields: [String: JSONValue]) {
        #expect(parseError(fields)?.code == .validationError)
    }

    @Test func aRequestIdIsCarriedIntoTheEnvelope() throws {
        let envelope = try parse(["type": "sync", "requestId": "abc-123"]).get()
        #expect(envelope == ClientEnvelope(requestID: "abc-123", message: .sync))
        #expect(try parse(["type": "sync", "requestId": .null]).get().requestID == nil)
        #expect(try parse(["type": "sync"]).get().requestID == nil)
    }

    @Test func aRequestIdOfUpTo64CharactersIsAccepted() throws {
        let longest = String(repeating: "r", count: 64)
        #expect(try parse(["type": "sync", "requestId": .string(longest)]).get().requestID == longest)
        #expect(try parse(["type": "sync", "requestId": ""]).get().requestID == "")
    }

    @Test(arguments: [
        JSONValue.string(String(repeating: "r", count: 65)), .integer(12), .double(1.5), .bool(false), .array([]), .object([:]),
    ])
    func aRequestIdTooLongOrOfTheWrongTypeIsAValidationError(requestID: JSONValue) {
        let error = parseError(["type": "sync", "requestId": requestID])
        #expect(error?.code == .validationError)
        #expect(error?.requestID == nil)
    }

    @Test(arguments: [
        ["type": "bogus"], ["type": .integer(1)], [:], ["type": "ping", "ts": "x"], ["type": "signal"],
        ["type": "join"], ["type": "join", "token": "t", "settings": .string("VIDEO")],
        ["type": "join", "token": "t", "resume": .array([])],
    ] as [[String: JSONValue]])
    func theRequestIdIsCarriedIntoErrors(fields: [String: JSONValue]) {
        var withID = fields
        withID["requestId"] = "keep-me"
        let error = parseError(withID)
        #expect(error != nil)
        #expect(error?.requestID == "keep-me")
    }

    @Test func aBadMessageGetsAnErrorAndNobodyElseNotices() throws {
        var h = HubHarness()
        let alice = try h.join("alice")
        let bob = try h.join("bob")
        let actions = h.sendJSON(.object(["type": "dance", "requestId": "d"]), from: bob.connection)
        #expect(actions == [.send(.error(ProtocolError(.validationError, "unknown message type", requestID: "d")), to: [bob.connection])])
        #expect(h.messages(to: alice.connection).count == 2)
        #expect(h.closes(of: bob.connection).isEmpty)
        #expect(h.seq() == 2)
        // The socket still works.
        #expect(h.sendJSON(.object(["type": "raiseHand"]), from: bob.connection).rosterEvents.count == 1)
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}
