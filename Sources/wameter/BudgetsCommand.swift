import ArgumentParser
import Foundation
import MeterCore
import MeterStore
import WhatsAppWebhook

struct BudgetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budgets", abstract: "Set, list and remove monthly budgets and their alerts.",
        discussion: """
            While `wameter serve` runs, an alert is raised once per threshold per month when the month's \
            committed spend, or its month-end forecast, reaches a share of the budget; it is POSTed, signed \
            with WAMETER_ALERT_SECRET, to each --notify URL (and Slack-style to each --notify-slack URL), \
            retried until delivered. See docs/budgets.md.
            """,
        subcommands: [Set.self, List.self, Remove.self])

    /// `--account ID` or `--portfolio NAME`, exactly one.
    struct ScopeOptions: ParsableArguments {
        @Option(help: "The account the budget covers.") var account: String?
        @Option(help: "The business portfolio the budget covers (every account `accounts add --portfolio` put in it).")
        var portfolio: String?

        var scope: Budget.Scope? {
            switch (account, portfolio) {
            case (let id?, nil): .account(id)
            case (nil, let name?): .portfolio(name)
            default: nil
            }
        }

        func problems() -> [String] {
            var problems: [String] = []
            if scope == nil { problems.append("give exactly one of --account ID or --portfolio NAME") }
            if let account, let problem = InputRules.accountIdProblem(account) {
                problems.append("account id \"\(account)\" \(problem)")
            }
            if let portfolio, portfolio.isEmpty { problems.append("--portfolio is empty") }
            return problems
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the monthly budget of an account or portfolio (replacing its budget).")

        @OptionGroup var options: DatabaseOptions
        @OptionGroup var scopeOptions: ScopeOptions
        @Option(help: "The limit per billing month, e.g. 1500 or 1500.50.") var monthly: String
        @Option(help: "The budget's currency (default: the account's, or the portfolio's accounts').")
        var currency: String?
        @Option(help: "Percentages of the budget that raise an alert, comma-separated.") var alertAt = "50,80,100"
        @Option(help: "A URL to POST each alert to, as signed JSON; repeatable.") var notify: [String] = []
        @Option(help: "A Slack-compatible incoming-webhook URL to POST each alert to; repeatable.")
        var notifySlack: [String] = []

        func validate() throws {
            var problems = scopeOptions.problems()
            let amount = Decimal(string: monthly, locale: Locale(identifier: "en_US_POSIX"))
            if amount == nil || amount! <= 0 || !monthly.allSatisfy({ $0.isNumber || $0 == "." }) {
                problems.append("--monthly must be a positive amount such as 1500 or 1500.50, got \"\(monthly)\"")
            }
            if let currency, currency.count != 3 || !currency.allSatisfy(\.isLetter) {
                problems.append("--currency must be an ISO 4217 code such as USD, got \"\(currency)\"")
            }
            if case .failure(let problem) = Budget.alertAt(alertAt) { problems.append(problem.description) }
            for url in notify + notifySlack {
                if let problem = AlertTarget.urlProblem(url) { problems.append("--notify: \(problem)") }
            }
            if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
        }

        func run() async throws {
            guard let scope = scopeOptions.scope else { return }
            let budget = try await options.withStore { store -> Budget in
                let covered = try await store.accounts().filter(scope.covers)
                guard !covered.isEmpty else {
                    switch scope {
                    case .account(let id): throw CommandFailure(LedgerStoreError.unknownAccount(id).description)
                    case .portfolio(let name): throw CommandFailure(LedgerStoreError.unknownPortfolio(name).description)
                    }
                }
                let currencies = Swift.Set(covered.map(\.currency))
                guard let chosen = currency?.uppercased() ?? (currencies.count == 1 ? currencies.first : nil) else {
                    throw CommandFailure(
                        "the portfolio's accounts bill in \(currencies.sorted().joined(separator: " and ")): "
                            + "give --currency (spend in other currencies is not counted)")
                }
                let budget = Budget(
                    scope: scope, monthly: Decimal(string: monthly, locale: Locale(identifier: "en_US_POSIX"))!,
                    currency: chosen, alertAt: try Budget.alertAt(alertAt).get(),
                    notify: notify.map { AlertTarget(url: $0) }
                        + notifySlack.map { AlertTarget(url: $0, format: .slack) },
                    createdAt: Int64(Date().timeIntervalSince1970))
                try await store.setBudget(budget)
                return budget
            }
            print(
                "budget for \(budget.scope.kind) \(budget.scope.value): \(formatMoney(budget.monthly)) "
                    + "\(budget.currency) a month, alerts at \(budget.alertAt.map { "\($0)%" }.joined(separator: ", "))"
                    + (budget.notify.isEmpty ? " (listed; no --notify URL)" : " to \(budget.notify.count) URL(s)"))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List budgets with this month's spend and forecast.")

        @OptionGroup var options: DatabaseOptions
        @Option(help: "table or json.") var format: ListFormat = .table

        enum ListFormat: String, ExpressibleByArgument { case table, json }

        func run() async throws {
            let now = Int64(Date().timeIntervalSince1970)
            let rows = try await options.withStore(existing: true) { store -> [[String]] in
                let accounts = try await store.accounts()
                var rows: [[String]] = []
                for budget in try await store.budgets() {
                    var reports: [Report] = []
                    for account in accounts where budget.scope.covers(account) {
                        let calendar = BillingCalendar(timezoneIdentifier: account.timezone) ?? .utc
                        reports.append(
                            try await store.report(
                                accountID: account.id, month: YearMonth(containing: calendar.day(of: now)), now: now))
                    }
                    // As serve's alerts see it.
                    let totals = AlertRules.BudgetMonth.totals(of: budget, reports: reports)
                    let spend = totals.spend
                    let forecast = totals.forecast ?? spend
                    let percent = budget.monthly > 0 ? (spend * 100 / budget.monthly).rounded(places: 0) : 0
                    rows.append([
                        budget.scope.kind, budget.scope.value, formatMoney(budget.monthly), budget.currency,
                        budget.alertAt.map { "\($0)%" }.joined(separator: ","),
                        budget.notify.map { "\($0.format == .slack ? "slack:" : "")\($0.host)" }.joined(separator: " "),
                        formatMoney(spend.rounded(places: 2)), "\(percent)%", formatMoney(forecast.rounded(places: 2)),
                    ])
                }
                return rows
            }
            let header = [
                "scope", "id", "monthly", "currency", "alert_at", "notify", "spend", "used", "forecast",
            ]
            switch format {
            case .table:
                print(
                    rows.isEmpty ? "no budgets (wameter budgets set …)" : TextTable.render(header: header, rows: rows),
                    terminator: rows.isEmpty ? "\n" : "")
            case .json:
                let objects = rows.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
                print(String(decoding: WireJSON.encode(objects), as: UTF8.self))
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an account's or portfolio's budget.")

        @OptionGroup var options: DatabaseOptions
        @OptionGroup var scopeOptions: ScopeOptions

        func validate() throws {
            let problems = scopeOptions.problems()
            if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
        }

        func run() async throws {
            guard let scope = scopeOptions.scope else { return }
            let removed = try await options.withStore(existing: true) { store in try await store.removeBudget(scope) }
            guard removed else { throw CommandFailure("no budget for \(scope.kind) \(scope.value)") }
            print("removed the budget of \(scope.kind) \(scope.value)")
        }
    }
}
