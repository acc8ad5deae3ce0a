@testable import SignalHubCore
import Testing

@Suite("validation: join, settings and resume")
struct JoinValidationTests {
    static func join(settings: JSONValue? = nil, resume: JSONValue? = nil) -> [String: JSONValue] {
        var fields: [String: JSONValue] = ["type": "join", "token": "tok"]
        fields["settings"] = settings
        fields["resume"] = resume
        return fields
    }

    static func settings(_ fields: [String: JSONValue]) -> CallSettings? {
        if case .join(_, let settings, _)? = parsedMessage(join(settings: .object(fields))) { settings } else { nil }
    }

    @Test(arguments: [nil, JSONValue.null, .string("")])
    func aMissingOrEmptyTokenIsAuthTokenMissing(token: JSONValue?) {
        var fields: [String: JSONValue] = ["type": "join", "requestId": "j"]
        fields["token"] = token
        let error = parseError(fields)
        #expect(error?.code == .authTokenMissing)
        #expect(error?.requestID == "j")
    }

    @Test(arguments: [JSONValue.integer(1), .bool(true), .object(["jwt": "x"]), .array([.string("x")])])
    func aTokenThatIsNotAStringIsAValidationError(token: JSONValue) {
        #expect(parseError(["type": "join", "token": token])?.code == .validationError)
    }

    @Test func absentOrNullSettingsTakeTheDefaults() {
        let defaults = CallSettings(sessionType: .video, layout: .tile, startAudioMuted: false, startVideoPaused: false)
        #expect(parsedMessage(Self.join()) == .join(token: "tok", settings: defaults, resume: nil))
        #expect(parsedMessage(Self.join(settings: .null)) == .join(token: "tok", settings: defaults, resume: nil))
        #expect(Self.settings([:]) == defaults)
    }

    @Test func everySettingIsRead() {
        let parsed = Self.settings([
            "sessionType": "VOICE", "layout": "SPOTLIGHT", "startAudioMuted": .bool(true), "startVideoPaused": .bool(true),
        ])
        #expect(parsed == CallSettings(sessionType: .voice, layout: .spotlight, startAudioMuted: true, startVideoPaused: true))
        #expect(Self.settings(["layout": "SIDEBAR"])?.layout == .sidebar)
        #expect(Self.settings(["layout": "TILE"])?.layout == .tile)
        #expect(Self.settings(["sessionType": "VIDEO"])?.sessionType == .video)
    }

    @Test func audioIsAcceptedAsVoice() throws {
        #expect(Self.settings(["sessionType": "AUDIO"])?.sessionType == .voice)
        #expect(try CallSettings(parsing: .object(["sessionType": "AUDIO"])).sessionType == .voice)
    }

    @Test func unknownSettingsKeysAreIgnored() {
        let parsed = Self.settings(["theme": "dark", "startAudioMuted": .bool(true), "bitrate": .integer(9), "layout": "SIDEBAR"])
        #expect(parsed == CallSettings(layout: .sidebar, startAudioMuted: true))
    }

    @Test(arguments: [
        JSONValue.string("VIDEO"), .integer(1), .bool(true), .array([]),
        .object(["sessionType": "voice"]), .object(["sessionType": "SCREEN"]), .object(["sessionType": .integer(1)]),
        .object(["layout": "GRID"]), .object(["layout": "tile"]), .object(["layout": .bool(true)]),
        .object(["startAudioMuted": "true"]), .object(["startAudioMuted": .integer(1)]),
        .object(["startVideoPaused": .integer(0)]), .object(["startVideoPaused": "false"]),
    ])
    func badSettingsAreValidationErrors(settings: JSONValue) {
        #expect(parseError(Self.join(settings: settings))?.code == .validationError)
        #expect(throws: ProtocolError.self) { try CallSettings(parsing: settings) }
    }

    @Test func effectiveSettingsPauseVideoForVoiceOnly() {
        #expect(CallSettings(sessionType: .voice).effective.startVideoPaused)
        #expect(CallSettings(sessionType: .voice, layout: .sidebar, startAudioMuted: true).effective
            == CallSettings(sessionType: .voice, layout: .sidebar, startAudioMuted: true, startVideoPaused: true))
        #expect(!CallSettings(sessionType: .video).effective.startVideoPaused)
        #expect(CallSettings(sessionType: .video, startVideoPaused: true).effective.startVideoPaused)
    }

    @Test func aWellFormedResumeIsRead() {
        let resume = JSONValue.object(["pid": "pABC", "resumeToken": "secret", "lastSeq": .integer(17)])
        let expected = ResumeRequest(pid: ParticipantID("pABC"), resumeToken: "secret", lastSeq: 17)
        #expect(parsedMessage(Self.join(resume: resume)) == .join(token: "tok", settings: CallSettings(), resume: expected))
        let zero = JSONValue.object(["pid": "p", "resumeToken": "", "lastSeq": .integer(0)])
        #expect(parsedMessage(Self.join(resume: zero)) == .join(token: "tok", settings: CallSettings(), resume: ResumeRequest(pid: ParticipantID("p"), resumeToken: "", lastSeq: 0)))
        #expect(parsedMessage(Self.join(resume: .null)) == .join(token: "tok", settings: CallSettings(), resume: nil))
    }

    @Test(arguments: [
        JSONValue.string("pABC"), .integer(3), .array([]), .object([:]),
        .object(["resumeToken": "s", "lastSeq": .integer(1)]),
        .object(["pid": "", "resumeToken": "s", "lastSeq": .integer(1)]),
        .object(["pid": .integer(5), "resumeToken": "s", "lastSeq": .integer(1)]),
        .object(["pid": "pA", "lastSeq": .integer(1)]),
        .object(["pid": "pA", "resumeToken": .integer(9), "lastSeq": .integer(1)]),
        .object(["pid": "pA", "resumeToken": "s"]),
        .object(["pid": "pA", "resumeToken": "s", "lastSeq": .integer(-1)]),
        .object(["pid": "pA", "resumeToken": "s", "lastSeq": "3"]),
        .object(["pid": "pA", "resumeToken": "s", "lastSeq": .double(2.5)]),
    ])
    func aBadResumeShapeIsAValidationError(resume: JSONValue) {
        let error = parseError(Self.join(resume: resume).merging(["requestId": "res"]) { $1 })
        #expect(error?.code == .validationError)
        #expect(error?.requestID == "res")
    }

    @Test func aBadJoinThroughTheHubIsRefusedWithoutATokenCheck() {
        var h = HubHarness()
        let c = h.open()
        let actions = h.sendJSON(.object(["type": "join", "requestId": "q"]), from: c)
        #expect(actions == [.send(.error(ProtocolError(.authTokenMissing, "join needs a call token", requestID: "q", refusesJoin: true)), to: [c])])
        let bad = h.sendJSON(.object(Self.join(settings: .object(["layout": "GRID"]))), from: c)
        #expect(bad.messages(to: c).map(\.protocolError?.code) == [.validationError])
        #expect(!bad.contains { if case .verifyCallToken = $0 { true } else { false } })
    }
}
