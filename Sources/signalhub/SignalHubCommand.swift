import ArgumentParser

@main
struct SignalHubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signalhub",
        abstract: "A participant-signaling hub for calls: one roster per session, the same for every member.",
        discussion: """
            Start a hub for local testing (dev logins on, test page at http://127.0.0.1:8080/):
              signalhub serve --dev

            Production: give the app secret through the environment, never on the command line:
              SIGNALHUB_SECRET=... signalhub serve --host 0.0.0.0 --port 8080

            Mint tokens for scripts and backends (the secret comes from SIGNALHUB_SECRET):
              signalhub token auth --uid alice --name Alice
              signalhub token call --uid alice --session standup
              signalhub token admin
            """,
        subcommands: [ServeCommand.self, TokenCommand.self]
    )
}
