import Foundation
import Testing

@testable import MeterCore

/// The built-in history is the files of `data/rates/`, unchanged, and every row of it can price.
@Suite("Built-in rate cards")
struct BuiltInRateCardTests {
    static let dataDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data/rates")

    @Test(
        "the embedded data equals the files of data/rates byte for byte (regenerate with scripts/generate-builtin-rates.py)"
    )
    func embeddedEqualsFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.dataDirectory.path)
            .filter { $0.hasSuffix(".csv") }.sorted()
        #expect(files.count >= 20)
        #expect(files == BuiltInRateFiles.files.keys.sorted())
        for file in files {
            let text = try String(contentsOf: Self.dataDirectory.appendingPathComponent(file), encoding: .utf8)
            #expect(BuiltInRateFiles.files[file].map { $0 + "\n" } == text, "\(file)")
        }
    }

    @Test("every file imports without error, and the start-up reader reads the same rows as the importer")
    func readersAgree() throws {
        for (file, text) in BuiltInRateFiles.files {
            let imported = try RateCardImport.parse(text)
            let loaded = BuiltInRateCards.rows(of: text)
            #expect(loaded.rates == imported.rates, "\(file)")
            #expect(loaded.tiers == imported.tiers, "\(file)")
            #expect(loaded.rates.count + loaded.tiers.count == text.split(separator: "\n").count - 1, "\(file)")
        }
    }

    @Test("every catalogued card is one currency and day, and the card the file name says")
    func catalog() {
        #expect(BuiltInRateCards.editions.count == BuiltInRateCards.catalog.count)
        for edition in BuiltInRateCards.editions {
            let day = DayKeys.format(edition.effectiveFrom)
            #expect(
                edition.rates.allSatisfy {
                    $0.currency == edition.currency && $0.effectiveFrom == edition.effectiveFrom
                })
            #expect(
                edition.tiers.allSatisfy {
                    $0.currency == edition.currency && $0.effectiveFrom == edition.effectiveFrom
                })
            #expect(!edition.rates.isEmpty, "\(edition.currency) \(day)")
        }
        let labels = BuiltInRateCards.catalog.flatMap(\.files)
        #expect(labels.allSatisfy { BuiltInRateFiles.files[$0] != nil })
        // Partial cards are not built in (SOURCES.md §3): import them with --patch.
        for partial in ["rates-EUR-2026-04-01.csv", "rates-BRL-2026-10-01.csv", "rates-USD-2024-06-01.csv"] {
            #expect(!labels.contains(partial))
        }
    }

    @Test("every built-in market exists in the market table on its card's day")
    func marketsExistOnTheirDay() {
        for edition in BuiltInRateCards.editions {
            let markets = MarketTable.standard.marketNames(on: edition.effectiveFrom)
            for market in Set(edition.rates.map(\.market) + edition.tiers.map(\.market)) {
                #expect(markets.contains(market), "\(market) on \(DayKeys.format(edition.effectiveFrom))")
            }
        }
    }

    @Test("figures from the files price on their days, in their currency and era")
    func figures() {
        let card = RateCardHistory.builtInCard
        #expect(
            card.rate(currency: "USD", market: "Argentina", category: "business_initiated", on: 2022_03_01)
                == Decimal(string: "0.0526"))
        #expect(
            card.rate(currency: "USD", market: "India", category: "marketing", on: 2024_10_15)
                == Decimal(string: "0.0107"))
        #expect(card.rate(currency: "USD", market: "India", category: "marketing", on: 2025_08_01) == nil)
        #expect(
            card.rate(currency: "USD", market: "India", category: "authentication_international", on: 2026_04_01)
                == Decimal(string: "0.0304"))
        #expect(
            card.rate(currency: "USD", market: "Italy", category: "marketing", on: 2026_07_01)
                == Decimal(string: "0.0795"))
        // The July patch keeps April's authentication where it lists none.
        #expect(
            card.rate(currency: "USD", market: "India", category: "authentication", on: 2026_07_01)
                == Decimal(string: "0.0014"))
        #expect(card.rate(currency: "USD", market: "Hong Kong", category: "authentication", on: 2026_07_01) == nil)
        #expect(
            card.rate(currency: "INR", market: "India", category: "marketing", on: 2026_10_01)
                == Decimal(string: "0.8631"))
        #expect(card.tierTable(currency: "USD", market: "Argentina", category: "utility", on: 2026_05_01)?.count == 6)
        #expect(
            card.rate(currency: "USD", market: "Argentina", category: "calling", on: 2026_11_01)
                == Decimal(string: "0.0101"))
        #expect(card.rate(currency: "USD", market: "Argentina", category: "calling", on: 2025_07_31) == nil)
        #expect(card.tierTable(currency: "INR", market: "Argentina", category: "utility", on: 2026_10_01) != nil)
        #expect(
            card.editions(currency: "USD", from: 2026_10_01, through: 2026_10_31).map(\.label) == [
                "USD 2026-10-01 whole, built-in (transcription)"
            ])
    }
}
