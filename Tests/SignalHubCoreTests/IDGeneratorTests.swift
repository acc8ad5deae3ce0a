import Testing

@testable import SignalHubCore

@Suite("participant IDs and resume tokens")
struct IDGeneratorTests {
    static let alphabet = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// Replays the given draws, then counts how many more were asked for.
    struct Scripted: RandomNumberGenerator {
        var draws: [UInt64]
        var taken = 0
        mutating func next() -> UInt64 {
            defer { taken += 1 }
            return taken < draws.count ? draws[taken] : 0
        }
    }

    @Test func chunksOutsideTheAlphabetAreSkippedNotFolded() {
        // Every 6-bit chunk of the first draw is 62 or 63: none may become a character
        // (folding them would make '0' and '1' twice as likely), so all 22 come after it.
        var allSkipped: UInt64 = 0
        var letters: UInt64 = 0  // chunks 10...19: "ABCDEFGHIJ"
        for chunk in 0..<10 {
            let shift = UInt64(6 * chunk)
            allSkipped |= UInt64(62 + chunk % 2) << shift
            letters |= UInt64(10 + chunk) << shift
        }
        var generator = IDGenerator(random: Scripted(draws: [allSkipped, letters, letters, letters]))
        #expect(generator.resumeToken() == "ABCDEFGHIJ" + "ABCDEFGHIJ" + "AB")
    }

    @Test func tokensUseEverySymbolAboutEquallyOften() {
        var generator = IDGenerator(random: SplitMix64(seed: 11))
        var counts: [Character: Int] = [:]
        for _ in 0..<3_000 {
            let token = generator.resumeToken()
            #expect(token.count == 22)
            for symbol in token { counts[symbol, default: 0] += 1 }
        }
        #expect(Set(counts.keys) == Self.alphabet)
        // 66,000 symbols over 62: about 1,065 each; a bias of 2x on any symbol is far outside.
        #expect(counts.values.allSatisfy { (850...1_300).contains($0) }, "\(counts)")
    }

    @Test func pidsAreTwelveCharactersAfterP() {
        var generator = IDGenerator(random: SplitMix64(seed: 5))
        let pid = generator.participantID().rawValue
        #expect(pid.count == 12 && pid.hasPrefix("p") && pid.dropFirst().allSatisfy { Self.alphabet.contains($0) })
    }
}
