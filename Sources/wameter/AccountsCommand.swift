import ArgumentParser
import MeterCore
import MeterStore
import WhatsAppWebhook

struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts", abstract: "Add and list WhatsApp Business Accounts.",
        subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account, or update one (for example one created by a webhook with UTC and USD).",
            discussion: """
                Changing the time zone of an account moves its billing days and months; its counters are \
                recomputed at once.
                """)

        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The WhatsApp Business Account id (entry[].id in webhooks).") var id: String
        @Option(help: "IANA time zone of the account, e.g. Asia/Kolkata.") var timezone: String
        @Option(help: "ISO 4217 currency the account is billed in, e.g. USD.") var currency: String
        @Option(help: "A display name.") var name: String?
        @Option(help: "Business portfolio id; accounts of one portfolio share volume tiers.") var portfolio: String?

        func validate() throws {
            var problems: [String] = []
            if case .failure(let problem) = AccountInput.timezone(timezone) { problems.append(problem.description) }
            if case .failure(let problem) = AccountInput.currency(currency) { problems.append(problem.description) }
            if let problem = InputRules.accountIdProblem(id) { problems.append("account id \"\(id)\" \(problem)") }
            if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
        }

        func run() async throws {
            // `validate` has accepted both: stored in their one spelling (Asia/Kolkata, USD).
            let timezone = try AccountInput.timezone(self.timezone).get()
            let currency = try AccountInput.currency(self.currency).get()
            let account = Account(id: id, name: name, timezone: timezone, currency: currency, portfolio: portfolio)
            switch try await options.withStore({ try await $0.upsertAccount(account) }) {
            case .created:
                print("added account \(id) (\(timezone), \(currency))")
            case .updated(let timezoneChanged):
                print(
                    "updated account \(id) (\(timezone), \(currency))"
                        + (timezoneChanged ? "; counters moved to the new time zone" : ""))
            case .unchanged:
                print("account \(id) unchanged")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        @OptionGroup var options: DatabaseOptions

        func run() async throws {
            let accounts = try await options.withStore(existing: true) { try await $0.accounts() }
            if accounts.isEmpty {
                print("no accounts (add one with `wameter accounts add ID --timezone ZONE --currency CODE`)")
                return
            }
            let rows = accounts.map {
                [
                    $0.id, $0.name ?? "", $0.timezone, $0.currency, $0.portfolio ?? "",
                    $0.autoCreated ? "created by a webhook: set its time zone and currency" : "",
                ]
            }
            print(
                TextTable.render(header: ["id", "name", "timezone", "currency", "portfolio", "note"], rows: rows),
                terminator: "")
        }
    }
}
