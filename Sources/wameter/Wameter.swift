import ArgumentParser
import Foundation

@main
struct Wameter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wameter",
        abstract: "A self-hosted meter for the WhatsApp Business Platform.",
        discussion: """
            wameter keeps an exact, replayable ledger of WhatsApp Business Platform webhooks and reports,
            per account and billing month, what was delivered, what Meta charges for, and what it costs.
            """,
        version: WameterVersion.description,
        subcommands: [
            DemoCommand.self, ServeCommand.self, AccountsCommand.self, RatesCommand.self, MarketsCommand.self,
            SimulateCommand.self, IngestCommand.self,
            ReportCommand.self, InsightsCommand.self, ReconcileCommand.self,
            RebuildCommand.self, MigrateCommand.self, TokensCommand.self, BudgetsCommand.self,
        ]
    )

    /// ArgumentParser's entry point, with one addition: a mistyped command gets a suggestion
    /// (`wameter reprot` → "did you mean report?") before the usage.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if let suggestion = CommandSuggestion.forMistypedCommand(
                arguments, commands: configuration.subcommands.compactMap { $0.configuration.commandName })
            {
                FileHandle.standardError.write(Data((suggestion + "\n").utf8))
            }
            exit(withError: error)
        }
    }
}
