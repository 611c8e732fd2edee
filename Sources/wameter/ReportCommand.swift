import ArgumentParser
import Foundation
import MeterCore
import MeterStore

extension ReportFormat: ExpressibleByArgument {}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Report an account's billing month.",
        discussion: """
            Counts and estimated cost of the month in the account's time zone. json is the contract shape \
            (see docs/report.md); csv has one row per kind, category, market and country.
            """)

    @OptionGroup var options: DatabaseOptions
    @Option(help: "The account id.") var account: String
    @Option(help: "The billing month, YYYY-MM.") var month: String
    @Option(help: "table, json or csv.") var format: ReportFormat = .table

    func validate() throws {
        if YearMonth(month) == nil { throw ValidationError("--month must be YYYY-MM, got \"\(month)\"") }
    }

    func run() async throws {
        do {
            let report = try await options.withStore(existing: true) { store in
                try await store.report(
                    accountID: account, month: YearMonth(month)!, now: Int64(Date().timeIntervalSince1970))
            }
            print(report.rendered(as: format), terminator: "")
        } catch let error as LedgerStoreError {
            throw CommandFailure(error.description)
        }
    }
}
