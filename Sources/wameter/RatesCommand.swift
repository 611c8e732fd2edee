import ArgumentParser
import Foundation
import MeterCore
import MeterStore

struct RatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rates", abstract: "List, import and remove rate cards; find unpriced traffic.",
        subcommands: [Import.self, List.self, Remove.self, RatesCoverageCommand.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a rate card or volume-tier CSV over the built-in history.",
            discussion: """
                The layout is recognised by its header:
                  effective_from,currency,market,category,rate                        (canonical rates)
                  effective_from,currency,market,category,volume_from,volume_to,rate  (canonical tiers)
                  Market,Currency,Marketing,Utility,Authentication,...                (Meta's published card)
                  effective_from,currency,market,rate_per_minute                      (calling rates)
                  effective_from,currency,market,minutes_from,minutes_to,rate_per_minute  (calling tiers)
                The rows of each currency and effective day are one card. A card is whole: it ends every \
                earlier card of its currency, and a market or category it does not list is unrated. With \
                --patch it only changes the rates it lists in the card in force. An imported card replaces the \
                built-in card of the same currency and day and nothing else. Tier tables replace the table \
                with the same day, currency, market and category; tier tables alone never end a card's rates. \
                Calling cards are a history of their own: they never end a messaging card, nor the reverse. \
                A Meta card takes its date from its title row, or from --effective. A file with any bad line \
                imports nothing; every bad line is listed.
                """)
        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "First day (YYYY-MM-DD) of a Meta-layout card; overrides the date in its title.")
        var effective: String?
        @Flag(help: "Change only the listed rates of the card in force (a few markets, a missing column).")
        var patch = false

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
            let kind: RateCardEdition.Kind = patch ? .patch : .whole
            try await options.withStore {
                try await $0.importRates(
                    card.rates, tiers: card.tiers, kind: kind, importedAt: Int64(Date().timeIntervalSince1970))
            }
            for note in card.notes { print("note: \(note)") }
            let what = card.tiers.isEmpty ? "\(card.rates.count) rate(s)" : "\(card.tiers.count) volume tier(s)"
            let changes = RateCardImports.cards(of: card.rates, tiers: card.tiers, kind: kind)
            let cards = changes.map { change in
                let replaces = BuiltInRateCards.edition(
                    currency: change.currency, effectiveFrom: change.effectiveFrom, product: change.product)
                let how = change.replacesRates ? "whole card" : change.hasRates ? "patch" : "tier tables"
                let calling = change.product == .calling ? " calling" : ""
                return "\(change.currency)\(calling) \(DayKeys.format(change.effectiveFrom)) (\(how)"
                    + (replaces == nil
                        ? ")" : change.replacesRates ? ", replaces the built-in card)" : ", over the built-in card)")
            }
            print("imported \(what) from \(file), read as \(card.layout.rawValue): \(cards.joined(separator: "; "))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the rate cards, or the rates and volume tiers in force on a day.",
            discussion: """
                Without --date, every card of the history: built-in and imported, whole or patch, with how far \
                a built-in card can be trusted (Meta copy or transcription) and what it lacks. With --date, the \
                rates and tier tables that price deliveries on that local day, each with the card that set it; \
                `?` marks a figure the sources disagree on slightly.
                """)
        @OptionGroup var options: DatabaseOptions
        @Option(help: "Only this currency.") var currency: String?
        @Option(help: "Only what is in force on this local day, YYYY-MM-DD.") var date: String?

        func validate() throws {
            if let date, DayKeys.parse(date) == nil {
                throw ValidationError("--date must be YYYY-MM-DD, got \"\(date)\"")
            }
        }

        func run() async throws {
            // The built-in history needs no database: without one, nothing imported is shown (and no
            // empty ledger is created where a mistyped path points).
            var (rates, tiers, cards): ([RateEntry], [TierEntry], [ImportedRateCardInfo]) = ([], [], [])
            if LedgerStoreLocation.exists(options.location) {
                (rates, tiers, cards) = try await options.withStore { store in
                    (try await store.rateEntries(), try await store.tierEntries(), try await store.rateCards())
                }
            } else {
                printError("no database at \(options.displayLocation): the built-in cards only")
            }
            let currency = currency?.uppercased()
            let editions = RateCardHistory.editions(importedRates: rates, tiers: tiers, cards: cards).filter {
                currency == nil || $0.currency == currency
            }
            guard let day = date.flatMap(DayKeys.parse) else {
                print(Self.cardTable(editions), terminator: "")
                print("\n`wameter rates list --date YYYY-MM-DD` lists the rates in force on a day.")
                return
            }
            let card = RateCard(editions: editions)
            let inForce = card.inForce(on: day)
            let summaries = Set(inForce.rates.map(\.currency)).sorted().flatMap { currency in
                RateCardEdition.Product.allCases.flatMap {
                    card.editions(currency: currency, product: $0, from: day, through: day)
                }
            }
            // A figure is marked only where the card that set it says so (a later card's rate for
            // the same market and category is its own figure).
            var uncertain: Set<String> = []
            for summary in summaries {
                for figure in summary.uncertain {
                    uncertain.insert("\(summary.currency)/\(summary.effectiveFrom)/\(figure)")
                }
            }
            func isUncertain(_ rate: RateEntry) -> Bool {
                uncertain.contains(
                    "\(rate.currency)/\(DayKeys.format(rate.effectiveFrom))/\(rate.market)/\(rate.category)")
            }
            print("Cards in force on \(DayKeys.format(day)):")
            for summary in summaries { print("  \(summary.label)") }
            print("")
            let rows = inForce.rates.map {
                [
                    DayKeys.format($0.effectiveFrom), $0.currency, $0.market, $0.category,
                    "\($0.rate)" + (isUncertain($0) ? " ?" : ""),
                ]
            }
            print(
                TextTable.render(header: ["card", "currency", "market", "category", "rate"], rows: rows),
                terminator: "")
            if inForce.rates.contains(where: isUncertain) {
                print("? the sources disagree slightly on this figure; kept as read (data/rates/SOURCES.md)")
            }
            guard !inForce.tiers.isEmpty else { return }
            print("\nVolume tiers")
            let tierRows = inForce.tiers.map {
                [DayKeys.format($0.effectiveFrom), $0.currency, $0.market, $0.category, $0.label, "\($0.rate)"]
            }
            print(
                TextTable.render(
                    header: ["card", "currency", "market", "category", "messages", "rate"], rows: tierRows),
                terminator: "")
        }

        static func cardTable(_ editions: [RateCardEdition]) -> String {
            let rows = editions.map { edition -> [String] in
                let confidence = edition.confidence.map { $0 == .metaCopy ? "Meta copy" : "transcription" } ?? "-"
                let pricing =
                    edition.product == .calling
                    ? "calls (per minute)" : edition.pricesConversations ? "conversations" : "messages"
                return [
                    edition.currency, DayKeys.format(edition.effectiveFrom), edition.kind.rawValue,
                    edition.origin.rawValue, pricing, String(edition.rates.count),
                    String(Set(edition.tiers.map { "\($0.market)/\($0.category)" }).count), confidence,
                ]
            }
            var text = TextTable.render(
                header: ["currency", "effective", "kind", "origin", "prices", "rates", "tier tables", "confidence"],
                rows: rows)
            let notes = editions.filter { $0.note != nil || !$0.uncertain.isEmpty }
            if !notes.isEmpty { text += "\n" }
            for edition in notes {
                text += edition.summary.name + ": "
                text +=
                    [
                        edition.note,
                        edition.uncertain.isEmpty ? nil : "uncertain: \(edition.uncertain.joined(separator: ", "))",
                    ]
                    .compactMap { $0 }.joined(separator: "; ") + "\n"
            }
            return text
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an imported card (the built-in card of that day, if any, is in force again).")
        @OptionGroup var options: DatabaseOptions
        @Option(help: "The card's currency, e.g. USD.") var currency: String
        @Option(help: "The card's first day, YYYY-MM-DD.") var effective: String
        @Flag(help: "Remove the calling card (per-minute rates) of that day instead of the messaging card.")
        var calling = false

        func validate() throws {
            if DayKeys.parse(effective) == nil {
                throw ValidationError("--effective must be YYYY-MM-DD, got \"\(effective)\"")
            }
        }

        func run() async throws {
            let currency = currency.uppercased()
            let day = DayKeys.parse(effective)!
            let product: RateCardEdition.Product = calling ? .calling : .messaging
            let removed = try await options.withStore(existing: true) {
                try await $0.removeRateCard(currency: currency, effectiveFrom: day, product: product)
            }
            let builtIn = BuiltInRateCards.edition(currency: currency, effectiveFrom: day, product: product)
            let card = calling ? "calling card" : "card"
            guard removed else {
                throw CommandFailure(
                    "no imported \(currency) \(card) effective \(effective)"
                        + (builtIn == nil ? "" : " (the built-in one cannot be removed; import a card over it)")
                        + "; `wameter rates list` shows the cards")
            }
            print(
                "removed the imported \(currency) \(card) effective \(effective)"
                    + (builtIn == nil ? "" : "; the built-in card of that day prices again"))
        }
    }
}
