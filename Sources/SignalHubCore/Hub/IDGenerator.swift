/// Makes participant IDs and resume tokens from a random source the caller chooses, so
/// tests can seed it.
struct IDGenerator {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    var random: any RandomNumberGenerator

    /// 12 characters: unique enough within a session, short on the wire.
    mutating func participantID() -> ParticipantID { ParticipantID("p" + token(length: 11)) }

    /// 22 base-62 characters, about 131 bits: not guessable.
    mutating func resumeToken() -> String { token(length: 22) }

    private mutating func token(length: Int) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        for _ in 0..<length {
            bytes.append(Self.alphabet[Int(random.next(upperBound: UInt64(Self.alphabet.count)))])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
