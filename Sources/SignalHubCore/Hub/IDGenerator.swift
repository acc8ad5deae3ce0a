/// Makes participant IDs and resume tokens from a random source the caller chooses, so
/// tests can seed it.
struct IDGenerator {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    var random: any RandomNumberGenerator

    /// 12 characters: unique enough within a session, short on the wire.
    mutating func participantID() -> ParticipantID { ParticipantID("p" + token(length: 11)) }

    /// 22 base-62 characters, about 131 bits: not guessable.
    mutating func resumeToken() -> String { token(length: 22) }

    /// Each character is uniform over the 62 symbols: 6-bit chunks of a 64-bit draw, and a
    /// chunk of 62 or 63 is skipped. One draw serves about ten characters; drawing per
    /// character was a `getrandom` call each, 5% of the hub's CPU in a join storm.
    private mutating func token(length: Int) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        while bytes.count < length {
            var draw = random.next()
            for _ in 0..<10 where bytes.count < length {
                let chunk = Int(draw & 63)
                draw >>= 6
                if chunk < Self.alphabet.count { bytes.append(Self.alphabet[chunk]) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
