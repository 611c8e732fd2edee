import ArgumentParser
import Foundation
import MeterCore
import MeterStore

struct RatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rates", abstract: "Import and list rate cards.", subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a rate card or volume-tier CSV.",
            discussion: """
                The layout is recognised by its header:
                  effective_from,currency,market,category,rate                        (canonical rates)
                  effective_from,currency,market,category,volume_from,volume_to,rate  (canonical tiers)
                  Market,Currency,Marketing,Utility,Authentication,...                (Meta's published card)
                Rates are effective from their local day (account time zone) until a later rate for the same \
                currency, market and category. A Meta card takes its date from its title row, or from \
                --effective. A tier table replaces the stored table for the same day, currency, market and \
                category. A file with any bad line imports nothing; every bad line is listed. The first import \
                replaces the built-in card.
                """)
        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "First day (YYYY-MM-DD) of a Meta-layout card; overrides the date in its title.")
        var effective: String?

        func validate() throws {
            if let effective, DayKeys.parse(effective) == nil {
                throw ValidationError("--effective must be YYYY-MM-DD, got \"\(effective)\"")
            }
        }

        func run() async throws {
            let data = try CommandFailure.openForReading(file).readToEnd() ?? Data()
            let card: ImportedRateCard
            do {
                card = try RateCardImport.parse(
                    String(decoding: data, as: UTF8.self), effective: effective.flatMap(DayKeys.parse))
            } catch {
                for problem in error.errors { printError("\(file):\(problem.line): \(problem.reason)") }
                printError("nothing imported: \(error.errors.count) problem(s) in \(file)")
                throw ExitCode(1)
            }
            try await options.withStore { try await $0.importRates(card.rates, tiers: card.tiers) }
            for note in card.notes { print("note: \(note)") }
            let currencies = Set(card.rates.map(\.currency) + card.tiers.map(\.currency)).sorted()
            let what = card.tiers.isEmpty ? "\(card.rates.count) rate(s)" : "\(card.tiers.count) volume tier(s)"
            print(
                "imported \(what) (\(currencies.joined(separator: ", "))) from \(file), read as \(card.layout.rawValue)"
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the rates and volume tiers in force.",
            discussion: "Without --date, every imported entry; with it, only what prices deliveries on that day.")
        @OptionGroup var options: DatabaseOptions
        @Option(help: "Only this currency.") var currency: String?
        @Option(help: "Only what is in force on this local day, YYYY-MM-DD.") var date: String?

        func validate() throws {
            if let date, DayKeys.parse(date) == nil {
                throw ValidationError("--date must be YYYY-MM-DD, got \"\(date)\"")
            }
        }

        func run() async throws {
            var (rates, tiers) = try await options.withStore { store in
                (try await store.rateEntries(), try await store.tierEntries())
            }
            if rates.isEmpty && tiers.isEmpty {
                print("No card imported; reports use the built-in card (\(DefaultRateCard.source)).\n")
                rates = DefaultRateCard.rates
            }
            if let day = date.flatMap(DayKeys.parse) {
                rates = RateCard.inForce(rates, on: day)
                tiers = RateCard.inForce(tiers, on: day)
            }
            if let currency {
                rates = rates.filter { $0.currency == currency.uppercased() }
                tiers = tiers.filter { $0.currency == currency.uppercased() }
            }
            let rows = rates.map {
                [DayKeys.format($0.effectiveFrom), $0.currency, $0.market, $0.category, "\($0.rate)"]
            }
            print(
                TextTable.render(header: ["effective_from", "currency", "market", "category", "rate"], rows: rows),
                terminator: "")
            guard !tiers.isEmpty else { return }
            print("\nVolume tiers")
            let tierRows = tiers.map {
                [DayKeys.format($0.effectiveFrom), $0.currency, $0.market, $0.category, $0.label, "\($0.rate)"]
            }
            print(
                TextTable.render(
                    header: ["effective_from", "currency", "market", "category", "messages", "rate"], rows: tierRows),
                terminator: "")
        }
    }
}
