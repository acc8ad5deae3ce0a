import ArgumentParser
import Foundation
import SignalHubAuth

/// Where the app secret comes from: `SIGNALHUB_SECRET`, or a file, so that it never shows
/// in `ps`.
struct SecretOptions: ParsableArguments {
    @Option(
        name: .customLong("secret-file"),
        help: ArgumentHelp("Read the app secret from this file (trailing newline ignored) instead of SIGNALHUB_SECRET.", valueName: "path"))
    var secretFile: String?

    static let environmentVariable = "SIGNALHUB_SECRET"

    /// The secret's bytes, or nil when none was given.
    func load() throws -> [UInt8]? {
        if let secretFile {
            guard let data = FileManager.default.contents(atPath: secretFile) else {
                throw ValidationError("cannot read the secret file \(secretFile)")
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.last == "\n" || text.last == "\r" { text.removeLast() }
            return try checked(Array(text.utf8))
        }
        if let value = ProcessInfo.processInfo.environment[Self.environmentVariable], !value.isEmpty {
            return try checked(Array(value.utf8))
        }
        return nil
    }

    func require() throws -> [UInt8] {
        guard let secret = try load() else {
            throw ValidationError("no app secret: set \(Self.environmentVariable) (at least \(TokenService.minimumSecretLength) bytes) or pass --secret-file")
        }
        return secret
    }

    private func checked(_ secret: [UInt8]) throws -> [UInt8] {
        guard secret.count >= TokenService.minimumSecretLength else {
            throw ValidationError("the app secret must be at least \(TokenService.minimumSecretLength) bytes (got \(secret.count))")
        }
        return secret
    }

    /// A fresh random secret for dev mode: 32 random bytes as 64 hex characters.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
