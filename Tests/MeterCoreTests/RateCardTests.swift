import Foundation
import Testing

@testable import MeterCore

@Suite("Rate cards")
struct RateCardTests {
    /// Each day's rows are one whole card, so the April card repeats India utility.
    let card = RateCard([
        RateEntry(
            effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "marketing",
            rate: Decimal(string: "0.0118")!),
        RateEntry(
            effectiveFrom: 2026_04_01, currency: "USD", market: "India", category: "marketing",
            rate: Decimal(string: "0.0125")!),
        RateEntry(
            effectiveFrom: 2026_01_01, currency: "USD", market: "India", category: "utility",
            rate: Decimal(string: "0.0014")!),
        RateEntry(
            effectiveFrom: 2026_04_01, currency: "USD", market: "India", category: "utility",
            rate: Decimal(string: "0.0014")!),
        RateEntry(
            effectiveFrom: 2023_06_01, currency: "USD", market: "Other", category: "service",
            rate: Decimal(string: "0.0145")!),
        RateEntry(
            effectiveFrom: 2026_01_01, currency: "INR", market: "India", category: "marketing",
            rate: Decimal(string: "0.8631")!),
    ])

    @Test("the rate in force on the delivery day applies")
    func effectiveDates() {
        #expect(card.rate(currency: "USD", market: "India", category: "marketing", on: 2025_12_31) == nil)
        #expect(
            card.rate(currency: "USD", market: "India", category: "marketing", on: 2026_01_01)
                == Decimal(string: "0.0118"))
        #expect(
            card.rate(currency: "USD", market: "India", category: "marketing", on: 2026_03_31)
                == Decimal(string: "0.0118"))
        #expect(
            card.rate(currency: "USD", market: "India", category: "marketing", on: 2026_04_01)
                == Decimal(string: "0.0125"))
    }

    @Test("rates are per currency, never converted")
    func currencies() {
        #expect(
            card.rate(currency: "INR", market: "India", category: "marketing", on: 2026_02_01)
                == Decimal(string: "0.8631"))
        #expect(card.rate(currency: "EUR", market: "India", category: "marketing", on: 2026_02_01) == nil)
    }

    @Test("MM API and group categories use their base rate; service falls back to utility from 2026-10-01")
    func categoryMapping() {
        #expect(
            card.rate(currency: "USD", market: "India", category: "marketing_lite", on: 2026_02_01)
                == Decimal(string: "0.0118"))
        #expect(
            card.rate(currency: "USD", market: "India", category: "group_marketing", on: 2026_02_01)
                == Decimal(string: "0.0118"))
        #expect(
            card.rate(currency: "USD", market: "India", category: "group_utility", on: 2026_02_01)
                == Decimal(string: "0.0014"))
        #expect(card.rate(currency: "USD", market: "India", category: "service", on: 2026_09_30) == nil)
        #expect(
            card.rate(currency: "USD", market: "India", category: "service", on: 2026_10_01)
                == Decimal(string: "0.0014"))
        #expect(
            card.rate(currency: "USD", market: "Other", category: "service", on: 2024_01_01)
                == Decimal(string: "0.0145"))
    }

    @Test("canonical CSV imports with normalised categories")
    func importCanonical() throws {
        let entries = try RateCardImport.parse(
            "effective_from,currency,market,category,rate\n2026-01-01,usd,India,Authentication-International,0.0280\r\n"
                + "2026-01-01,USD,\"Rest of Central & Eastern Europe\",marketing,0.0860\n"
        ).rates
        #expect(entries.count == 2)
        #expect(entries[0].category == "authentication_international")
        #expect(entries[0].currency == "USD")
        #expect(entries[0].rate == Decimal(string: "0.0280"))
        #expect(entries[1].market == "Rest of Central & Eastern Europe")
    }

    @Test("a bad file imports nothing and names every bad line")
    func importErrors() {
        let text = """
            effective_from,currency,market,category,rate
            2026-01-01,USD,India,marketing,0.0118
            2026-13-01,USD,India,marketing,0.0118
            2026-01-01,DOLLARS,Atlantis,,-1
            2026-01-01,USD,India,marketing
            2026-01-01,USD,India,marketing,0.5abc
            """
        do {
            _ = try RateCardImport.parse(text)
            Issue.record("accepted a bad file")
        } catch {
            #expect(error.errors.map(\.line) == [3, 4, 5, 6])
            #expect(error.errors[0].reason.contains("effective_from"))
            #expect(error.errors[1].reason.contains("currency"))
            #expect(error.errors[1].reason.contains("Atlantis"))
            #expect(error.errors[1].reason.contains("category is empty"))
            #expect(error.errors[1].reason.contains("rate"))
            #expect(error.errors[2].reason.contains("expected 5 fields"))
            #expect(error.errors[3].reason.contains("0.5abc"))
        }
    }

    @Test("an unknown header is rejected, not guessed")
    func unknownHeader() {
        #expect(throws: RateImportFailure.self) { try RateCardImport.parse("country,price\nIN,1\n") }
    }

    @Test("CSV reader handles quotes, escaped quotes and line breaks in cells")
    func csv() {
        let rows = CSV.parse("a,\"b,c\",\"say \"\"hi\"\"\"\n\"multi\nline\",x\n\n")
        #expect(
            rows == [
                CSV.Row(line: 1, fields: ["a", "b,c", "say \"hi\""]),
                CSV.Row(line: 2, fields: ["multi\nline", "x"]),
            ])
    }
}
