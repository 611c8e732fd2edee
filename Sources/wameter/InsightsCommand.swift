import ArgumentParser
import Foundation
import MeterCore
import MeterStore

struct InsightsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insights",
        abstract: "Counts and cost over any period, broken down by phone number, country, category and more.",
        discussion: """
            Days are each account's local days; costs are per currency, never summed across currencies. \
            The figures for a calendar month equal that month's report. Lists may be given as \
            repeated options or comma-separated (--by phone,country). See docs/insights.md.

            Examples:
              wameter insights --account 102290129340398 --from 2026-11-01 --to 2026-11-07 --by phone,country
              wameter insights --portfolio acme --from 2026-11 --to 2026-11 --granularity day --format csv
              wameter insights --all --from 2026-01 --to 2026-12 --granularity month --by account
            """)

    @OptionGroup var options: DatabaseOptions
    @Option(help: "An account id (repeat for several).") var account: [String] = []
    @Option(help: "Every account of this business portfolio.") var portfolio: String?
    @Flag(help: "Every account.") var all = false
    @Option(
        help:
            "First day, YYYY-MM-DD, or YYYY-MM for the month's first day (default: this month); or a time on a half-hour, 2026-02-03T10:30+05:30 or …Z."
    )
    var from: String?
    @Option(
        help:
            "Last day (inclusive), YYYY-MM-DD, or YYYY-MM for the month's last day (default: --from's month); a time (excluded) when --from is one."
    )
    var to: String?
    @Option(help: "half_hour (at most 31 days), day, month or total.") var granularity: String = InsightsGranularity
        .total.rawValue
    @Option(
        help: ArgumentHelp(
            "Break down by: \(InsightsRequest.dimensionList).",
            valueName: "dimensions"))
    var by: [String] = []
    @Option(name: .customLong("phone-number"), help: "Only these business phone numbers, by id or display number.")
    var phoneNumber: [String] = []
    @Option(help: "Only these recipient countries (ISO codes such as IN).") var country: [String] = []
    @Option(help: "Only these markets (as `wameter markets lookup` names them).") var market: [String] = []
    @Option(help: "Only these categories (marketing, utility, authentication, service, …).")
    var category: [String] = []
    @Option(
        name: .customLong("pricing-type"),
        help: "Only these pricing types: regular, free_customer_service, free_entry_point, free_tier, none.")
    var pricingType: [String] = []
    @Option(help: "Only business_initiated, user_initiated or unknown.") var direction: [String] = []
    @Option(help: "Only message or conversation figures.") var kind: [String] = []
    @Option(help: "Only messages priced at these volume tiers (as the tier table writes them: 1001:10000).")
    var tier: [String] = []
    @Option(help: "table, json or csv.") var format: ReportFormat = .table
    @Flag(help: "Add each account's month-end forecast of its current month (table and json).") var forecast = false

    var scope: InsightsScope {
        if all { return .all }
        if let portfolio { return .portfolio(portfolio) }
        return .accounts(account)
    }

    var request: InsightsRequest {
        let month = String(ISO8601DateFormatter().string(from: Date()).prefix(7))
        let from = from ?? month
        return InsightsRequest(
            from: from, to: to, granularity: granularity, by: by,
            filters: [
                "phone": phoneNumber, "country": country, "market": market, "category": category,
                "pricing_type": pricingType, "direction": direction, "kind": kind, "tier": tier,
            ])
    }

    func validate() throws {
        let scopes = (account.isEmpty ? 0 : 1) + (portfolio == nil ? 0 : 1) + (all ? 1 : 0)
        if scopes != 1 { throw ValidationError("give one of --account ID (repeatable), --portfolio NAME or --all") }
        do {
            _ = try request.query()
        } catch {
            throw ValidationError(error.problems.joined(separator: "\n"))
        }
    }

    func run() async throws {
        var query = try request.query()
        query.forecast = forecast
        do {
            let result = try await options.withStore(existing: true) { store in
                try await store.insights(scope: scope, query: query, now: Int64(Date().timeIntervalSince1970))
            }
            if format == .csv {
                // Line by line: an export by every dimension is never held as one string.
                print(result.csvHeader, terminator: "")
                for row in result.rows { print(result.csvLine(row), terminator: "") }
            } else {
                print(result.rendered(as: format), terminator: "")
            }
        } catch let error as LedgerStoreError {
            throw CommandFailure(error.description)
        }
    }
}
