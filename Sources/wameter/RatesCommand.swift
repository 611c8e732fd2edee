import ArgumentParser
import Foundation
import MeterCore
import MeterStore

struct RatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rates", abstract: "Import and list rate cards.", subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a rate card CSV: effective_from,currency,market,category,rate.",
            discussion: """
                Rates are effective from their local day (account time zone) until a later rate for the same \
                currency, market and category. A file with any bad line imports nothing; every bad line is listed.
                """)
        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            let entries: [RateEntry]
            do {
                entries = try RateCardImport.parse(String(decoding: data, as: UTF8.self))
            } catch {
                for problem in error.errors { printError("\(file):\(problem.line): \(problem.reason)") }
                printError("nothing imported: \(error.errors.count) problem(s) in \(file)")
                throw ExitCode(1)
            }
            try await options.openStore().importRates(entries)
            let currencies = Set(entries.map(\.currency)).sorted().joined(separator: ", ")
            print("imported \(entries.count) rate(s) (\(currencies)) from \(file)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List imported rates.")
        @OptionGroup var options: DatabaseOptions
        @Option(help: "Only this currency.") var currency: String?

        func run() async throws {
            let entries = try await options.openStore().rateEntries().filter {
                currency == nil || $0.currency == currency!.uppercased()
            }
            let rows = entries.map {
                [DayKeys.format($0.effectiveFrom), $0.currency, $0.market, $0.category, "\($0.rate)"]
            }
            print(
                TextTable.render(header: ["effective_from", "currency", "market", "category", "rate"], rows: rows),
                terminator: "")
        }
    }
}
