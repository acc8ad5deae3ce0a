import SignalHubCore
import SignalHubWire
import Testing

@Suite("Decoding client bytes")
struct DecodingTests {
    private func decode(_ text: String) -> Result<ClientEnvelope, ProtocolError> {
        Array(text.utf8).withUnsafeBytes { JSONDecoding.clientMessage($0) }
    }

    @Test func parsesNestedValuesKeepingIntegersAndRealsApart() throws {
        let value = try JSONDecoding.parse(Array(#"{"a":[1,2.5,true,null,"x"],"b":{"c":-7}}"#.utf8)).get()
        #expect(value == .object(["a": .array([.integer(1), .double(2.5), .bool(true), .null, .string("x")]), "b": .object(["c": .integer(-7)])]))
    }

    @Test func decodesUnicodeEscapes() throws {
        let value = try JSONDecoding.parse(Array(#"{"name":"Zo\u00eb \ud83d\ude00"}"#.utf8)).get()
        #expect(value["name"] == .string("Zoë 😀"))
    }

    @Test(arguments: ["not json", "{", "", #"{"a":1,"a":2}"#, "[1,]"])
    func refusesWhatIsNotJSON(_ text: String) {
        guard case .failure(let error) = decode(text) else { Issue.record("accepted \(text)"); return }
        #expect(error.code == .validationError)
    }

    @Test(arguments: ["5", #""join""#, "[]", #"[{"type":"ping"}]"#, "null"])
    func refusesJSONThatIsNotAnObject(_ text: String) {
        guard case .failure(let error) = decode(text) else { Issue.record("accepted \(text)"); return }
        #expect(error.code == .validationError)
        #expect(error.message.contains("object"))
    }

    @Test func decodesAFullJoin() throws {
        let envelope = try decode(#"{"type":"join","token":"t","requestId":"r","settings":{"sessionType":"AUDIO","layout":"SPOTLIGHT","startAudioMuted":true}}"#).get()
        #expect(envelope.requestID == "r")
        guard case .join(let token, let settings, let resume) = envelope.message else { Issue.record("not a join"); return }
        #expect(token == "t")
        #expect(settings == CallSettings(sessionType: .voice, layout: .spotlight, startAudioMuted: true))
        #expect(resume == nil)
    }

    @Test func aTooDeepDocumentIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        guard case .failure(let error) = decode(deep) else { Issue.record("accepted"); return }
        #expect(error.code == .validationError)
    }

    @Test func signalDataIsLimitedBySize() throws {
        let small = String(repeating: "a", count: JSONDecoding.maxSignalDataBytes - 2)  // plus quotes: exactly the limit
        let fits = decode(#"{"type":"signal","to":"p1","data":"\#(small)"}"#)
        #expect((try? fits.get()) != nil)
        let big = small + "a"
        guard case .failure(let error) = decode(#"{"type":"signal","to":"p1","data":"\#(big)","requestId":"s1"}"#) else {
            Issue.record("accepted oversize signal data"); return
        }
        #expect(error.code == .validationError)
        #expect(error.requestID == "s1")
        let bigArray = "[" + Array(repeating: "1", count: 9_000).joined(separator: ",") + "]"
        guard case .failure = decode(#"{"type":"signal","to":"p1","data":\#(bigArray)}"#) else {
            Issue.record("accepted an oversize array"); return
        }
    }
}
