import ArgumentParser
import Foundation
import MeterCore
import MeterStore

/// `wameter rates coverage`: the months × markets × categories with charged units but no rate, per
/// currency an account uses, so the right card can be imported before a report is trusted.
struct RatesCoverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage", abstract: "List charged traffic that no rate card prices.",
        discussion: """
            For every account (or those given with --account), each month from --from to --to in the account's \
            time zone: the markets and categories with charged units that have no rate in the card in force, \
            with the card that lacks them. Import that currency's card for the month (or a --patch) to price \
            them. Prints nothing but a line saying so when every charged unit is priced.
            """)
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }
    static let maximumMonths = 120

    @OptionGroup var options: DatabaseOptions
    @Option(help: "First month, YYYY-MM.") var from: String
    @Option(help: "Last month, YYYY-MM (default: --from).") var to: String?
    @Option(help: "Only this account (repeatable).") var account: [String] = []
    @Option(help: "table or json.") var format: Format = .table

    func validate() throws {
        guard let first = YearMonth(from) else { throw ValidationError("--from must be YYYY-MM, got \"\(from)\"") }
        if let to {
            guard let last = YearMonth(to) else { throw ValidationError("--to must be YYYY-MM, got \"\(to)\"") }
            if last < first { throw ValidationError("--to \(to) is before --from \(from)") }
            // Every month is a report per account: a typo such as 2062 for 2026 should not run for hours.
            let months = (last.year - first.year) * 12 + last.month - first.month + 1
            if months > Self.maximumMonths {
                throw ValidationError("--from \(from) to --to \(to) is \(months) months; at most \(Self.maximumMonths)")
            }
        }
    }

    func run() async throws {
        let first = YearMonth(from)!
        let last = to.flatMap(YearMonth.init) ?? first
        let wanted = account
        let now = Int64(Date().timeIntervalSince1970)
        let reports = try await options.withStore(existing: true) { store in
            let known = try await store.accounts()
            for id in wanted where !known.contains(where: { $0.id == id }) {
                throw CommandFailure("unknown account \(id); `wameter accounts list` shows them")
            }
            var reports: [Report] = []
            for account in known where wanted.isEmpty || wanted.contains(account.id) {
                var month = first
                while month <= last {
                    reports.append(try await store.report(accountID: account.id, month: month, now: now))
                    month = month.next
                }
            }
            return reports
        }
        let gaps = RateCoverage.gaps(of: reports)
        switch format {
        case .json:
            print(String(decoding: WireJSON.encode(gaps), as: UTF8.self))
        case .table:
            guard !gaps.isEmpty else {
                print("every charged unit from \(first) to \(last) has a rate (\(reports.count) account-month(s))")
                return
            }
            let rows = gaps.map {
                [
                    $0.currency, $0.month, $0.kind, $0.category, $0.market, String($0.unrated),
                    $0.accounts.count == 1 ? $0.accounts[0] : "\($0.accounts.count) accounts", $0.card ?? "none",
                ]
            }
            print(
                TextTable.render(
                    header: [
                        "currency", "month", "kind", "category", "market", "unrated", "accounts", "card in force",
                    ],
                    rows: rows),
                terminator: "")
        }
    }
}
