import ArgumentParser
import SignalHubAuth
import SignalHubCore

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print a signed token alone on stdout (secret from SIGNALHUB_SECRET).",
        subcommands: [Auth.self, Call.self, Admin.self]
    )

    struct Auth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An auth token: what an app's backend gives a logged-in user, to trade for call tokens.")
        @OptionGroup var secret: SecretOptions
        @OptionGroup var user: UserOptions
        @Option(help: "Lifetime in seconds.") var ttl: Int64 = 86_400

        func run() async throws {
            let tokens = try await TokenService(secret: secret.require())
            print(try await tokens.issueAuthToken(for: user.identity, ttlSeconds: ttl).token)
        }
    }

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A call token for one session, as POST /v1/calls/tokens would mint it.")
        @OptionGroup var secret: SecretOptions
        @OptionGroup var user: UserOptions
        @Option(help: "The session ID (1-128 characters of A-Z a-z 0-9 . _ : -).") var session: String
        @Option(help: "Lifetime in seconds.") var ttl: Int64 = 3_600

        func validate() throws {
            guard SessionID.isValid(session) else { throw ValidationError("--session must be 1-128 characters of A-Z a-z 0-9 . _ : -") }
        }

        func run() async throws {
            let tokens = try await TokenService(secret: secret.require())
            let sessionID = SessionID(validating: session)!
            print(try await tokens.issueCallToken(for: user.identity, sessionID: sessionID, ttlSeconds: ttl).token)
        }
    }

    struct Admin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An admin token for the /v1/sessions endpoints.")
        @OptionGroup var secret: SecretOptions
        @Option(help: "Who the token names, for logs.") var subject = "admin"
        @Option(help: "Lifetime in seconds.") var ttl: Int64 = 3_600

        func run() async throws {
            let tokens = try await TokenService(secret: secret.require())
            print(try await tokens.issueAdminToken(subject: subject, ttlSeconds: ttl).token)
        }
    }
}

struct UserOptions: ParsableArguments {
    @Option(help: "The user's ID (1-128 characters).") var uid: String
    @Option(help: "Display name (default: the uid).") var name: String?
    @Option(help: "Avatar URL.") var avatar: String?
    @Option(help: "participant or moderator.") var role: Role = .participant

    func validate() throws {
        guard UserID.isValid(uid) else { throw ValidationError("--uid must be 1-128 characters") }
    }

    var identity: AuthIdentity { AuthIdentity(uid: uid, name: name, avatar: avatar, role: role) }
}

extension Role: ExpressibleByArgument {}
