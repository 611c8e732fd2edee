import ArgumentParser

@main
struct Wameter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wameter",
        abstract: "A self-hosted meter for the WhatsApp Business Platform.",
        discussion: """
            wameter keeps an exact, replayable ledger of WhatsApp Business Platform webhooks and reports,
            per account and billing month, what was delivered, what Meta charges for, and what it costs.
            """,
        subcommands: [
            DemoCommand.self, ServeCommand.self, AccountsCommand.self, RatesCommand.self, MarketsCommand.self,
            SimulateCommand.self, IngestCommand.self,
            ReportCommand.self, InsightsCommand.self,
            RebuildCommand.self, MigrateCommand.self,
        ]
    )
}
