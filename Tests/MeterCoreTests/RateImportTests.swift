import Foundation
import TestSupport
import Testing

@testable import MeterCore

/// The three layouts `wameter rates import` recognises, and every quirk of Meta's published card.
@Suite("Rate file import")
struct RateImportTests {
    static func d(_ text: String) -> Decimal { Decimal(string: text)! }

    /// A Meta-layout card: title and note rows, a header whose cells hold line breaks, `$US` labels,
    /// `n/a` cells, a per-token column, CRLF line ends and a footnote. The India, North America, Rest of
    /// Africa and Other rows follow the reference's §8.4; the Morocco row is made up for the test.
    static let metaCard = try! Fixtures.text("meta-rate-card-usd-2026-10-01.csv")

    func rate(_ card: ImportedRateCard, _ market: String, _ category: String) -> Decimal? {
        card.rates.first { $0.market == market && $0.category == category }?.rate
    }

    @Test("Meta's layout: date from the title, header cells with line breaks, $US, n/a, extra columns ignored")
    func metaLayout() throws {
        let card = try RateCardImport.parse(Self.metaCard)
        #expect(card.layout == .meta)
        #expect(Set(card.rates.map(\.effectiveFrom)) == [2026_10_01])
        #expect(Set(card.rates.map(\.currency)) == ["USD"])
        #expect(rate(card, "India", "authentication_international") == Self.d("0.0304"))
        #expect(rate(card, "India", "service") == Self.d("0.0014"))
        #expect(rate(card, "Rest of Central & Eastern Europe", "marketing") == Self.d("0.0860"))
        #expect(rate(card, "North America", "authentication_international") == nil)  // n/a
        #expect(rate(card, "Rest of Africa", "authentication_international") == nil)  // N/A
        #expect(card.rates.count == 6 * 5 - 4)
        #expect(card.notes.contains { $0.contains("Meta Business Agent") && $0.contains("ignored") })
        #expect(card.notes.contains { $0.contains("2026-10-01") && $0.contains("title") })
    }

    @Test("--effective overrides the title's date, and supplies it when the title has none")
    func effectiveOption() throws {
        let card = try RateCardImport.parse(Self.metaCard, effective: 2026_10_12)
        #expect(Set(card.rates.map(\.effectiveFrom)) == [2026_10_12])
        let untitled = "Market,Currency,Marketing,Utility\nIndia,USD,0.0118,0.0014\n"
        #expect(try RateCardImport.parse(untitled, effective: 2026_01_01).rates.count == 2)
        do {
            _ = try RateCardImport.parse(untitled)
            Issue.record("accepted a card with no date")
        } catch {
            #expect(
                error.errors == [
                    RateImportError(line: 1, reason: "no effective date in the title rows; pass --effective YYYY-MM-DD")
                ])
        }
    }

    @Test(
        "title dates in the spellings Meta and others use",
        arguments: [
            ("Cost per conversation in USD, effective June 1, 2023", DayKey(2023_06_01)),
            ("Cost per message in INR on the WhatsApp Business Platform, effective October 1, 2026", 2026_10_01),
            ("Rates effective 1 January 2026", 2026_01_01), ("effective 2026-04-01", 2026_04_01),
        ])
    func titleDates(title: String, day: DayKey) {
        #expect(MetaRateCardLayout.effectiveDay(inTitle: title) == day)
    }

    @Test(
        "currency labels map to ISO codes; a bare $ takes the title's currency",
        arguments: [
            ("$US", "USD"), ("US$", "USD"), ("€", "EUR"), ("£", "GBP"), ("₹", "INR"), ("R$", "BRL"), ("inr", "INR"),
        ])
    func currencyLabels(label: String, iso: String) {
        #expect(MetaRateCardLayout.currency(ofLabel: label) == iso)
    }

    @Test("a bare $ with a currency in the title; an unknown label is an error naming its line")
    func bareDollar() throws {
        let card = try RateCardImport.parse(
            "Cost per message in AUD, effective January 1, 2026\nMarket,Currency,Marketing\nIndia,$,0.0200\n")
        #expect(card.rates.first?.currency == "AUD")
        do {
            _ = try RateCardImport.parse("Rates effective January 1, 2026\nMarket,Currency,Marketing\nIndia,¤¤,0.02\n")
            Issue.record("accepted an unknown currency label")
        } catch {
            #expect(error.errors.map(\.line) == [3])
            #expect(error.errors[0].reason.contains("¤¤"))
        }
    }

    @Test("Meta layout: unknown markets and bad rates fail the whole import, each with its line")
    func metaErrors() {
        let text = """
            Cost per message in USD, effective January 1, 2026
            Market,Currency,Marketing,Utility
            India,USD,0.0118,0.0014
            Atlantis,USD,0.01,0.01
            Brazil,USD,cheap,0.0068
            """
        do {
            _ = try RateCardImport.parse(text)
            Issue.record("accepted a bad card")
        } catch {
            #expect(error.errors.map(\.line) == [4, 5])
            #expect(error.errors[0].reason.contains("Atlantis"))
            #expect(error.errors[1].reason.contains("marketing \"cheap\""))
        }
    }

    @Test("market names forgive case and spacing, nothing else")
    func marketSpelling() throws {
        let card = try RateCardImport.parse(
            "effective_from,currency,market,category,rate\n2026-01-01,USD,rest of  africa,marketing,0.0225\n")
        #expect(card.rates.first?.market == "Rest of Africa")
    }

    @Test("canonical tier CSV: tables of contiguous tiers, open last tier")
    func tiers() throws {
        let card = try RateCardImport.parse(
            """
            effective_from,currency,market,category,volume_from,volume_to,rate
            2026-10-01,USD,Rest of Central & Eastern Europe,utility,0,100000,0.0212
            2026-10-01,USD,Rest of Central & Eastern Europe,utility,100001,80000000,0.0201
            2026-10-01,USD,Rest of Central & Eastern Europe,utility,80000001,,0.0159
            2026-10-01,USD,India,Authentication-International,1,750000,0.0304
            2026-10-01,USD,India,authentication_international,750001,,0.0250
            """)
        #expect(card.layout == .canonicalTiers)
        #expect(card.tiers.count == 5)
        #expect(card.tiers[2].volumeTo == nil)
        #expect(card.tiers[2].label == "80000001:MAX")
        #expect(card.tiers[3].category == "authentication_international")
    }

    @Test("tier tables with gaps, overlaps, a late start, an open middle tier or an untiered category are rejected")
    func tierErrors() {
        let text = """
            effective_from,currency,market,category,volume_from,volume_to,rate
            2026-10-01,USD,India,utility,1,100,0.0014
            2026-10-01,USD,India,utility,102,200,0.0010
            2026-10-01,USD,Brazil,utility,1,100,0.0068
            2026-10-01,USD,Brazil,utility,100,,0.0050
            2026-10-01,USD,Mexico,utility,5,,0.0085
            2026-10-01,USD,Other,utility,1,,0.0077
            2026-10-01,USD,Other,utility,10,,0.0070
            2026-10-01,USD,Other,marketing,1,,0.0604
            2026-10-01,USD,Other,authentication,1,x,0.0077
            """
        do {
            _ = try RateCardImport.parse(text)
            Issue.record("accepted bad tiers")
        } catch {
            let byLine = Dictionary(grouping: error.errors, by: \.line).mapValues { $0.map(\.reason).joined() }
            #expect(byLine[3]?.contains("gap") == true)
            #expect(byLine[5]?.contains("overlaps") == true)
            #expect(byLine[6]?.contains("must start at 0 or 1") == true)
            #expect(byLine[7]?.contains("only the last tier") == true)
            #expect(byLine[9]?.contains("no volume tiers") == true)
            #expect(byLine[10]?.contains("volume_to \"x\"") == true)
            #expect(byLine.count == 6)
        }
    }

    @Test("a category no card prices is an error with the categories that are")
    func unknownCategory() {
        #expect(throws: RateImportFailure.self) {
            try RateCardImport.parse(
                "effective_from,currency,market,category,rate\n2026-10-01,USD,India,marketting,0.0118\n")
        }
        do {
            _ = try RateCardImport.parse(
                "effective_from,currency,market,category,rate\n2026-10-01,USD,India,marketting,0.0118\n")
        } catch {
            #expect(
                error.errors == [
                    RateImportError(
                        line: 2,
                        reason: "category \"marketting\" is not one a card prices (marketing, utility, authentication, "
                            + "authentication_international, service, business_initiated, user_initiated)")
                ])
        }
    }

    @Test("a key twice in one file is an error naming the first line")
    func duplicateKeys() {
        do {
            _ = try RateCardImport.parse(
                """
                effective_from,currency,market,category,rate
                2026-10-01,USD,India,marketing,0.0118
                2026-10-01,usd,India,Marketing,0.0120

                """)
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(
                error.errors == [
                    RateImportError(line: 3, reason: "USD India marketing from 2026-10-01 is already on line 2")
                ])
        }
        do {
            _ = try RateCardImport.parse(
                """
                effective_from,currency,market,category,volume_from,volume_to,rate
                2026-10-01,USD,India,utility,1,100000,0.0014
                2026-10-01,USD,India,utility,0,100000,0.0013

                """)
            Issue.record("a duplicate tier was accepted")
        } catch {
            #expect(
                error.errors.first
                    == RateImportError(
                        line: 3,
                        reason: "the USD India utility tier from 2026-10-01 starting at 0 is already on line 2"))
        }
        do {
            _ = try RateCardImport.parse(
                "Market,Currency,Marketing,Utility\nIndia,USD,0.0118,0.0014\nIndia,USD,0.0119,0.0014\n",
                effective: 2026_10_01)
            Issue.record("a market twice in Meta's layout was accepted")
        } catch {
            #expect(error.errors == [RateImportError(line: 3, reason: "USD India is already on line 2")])
        }
    }

    @Test("a UTF-8 byte-order mark (Excel's CSV UTF-8) is accepted and lowercase currencies are upper-cased")
    func byteOrderMarkAndCase() throws {
        let card = try RateCardImport.parse(
            "\u{FEFF}effective_from,currency,market,category,rate\n2026-10-01,usd,India,marketing,0.0118\n")
        #expect(card.layout == .canonicalRates)
        #expect(card.rates.map(\.currency) == ["USD"])
    }

    @Test("calling cards: rates per minute and tiers by minutes, validated like the others")
    func callingLayouts() throws {
        let rates = try RateCardImport.parse(
            "effective_from,currency,market,rate_per_minute\n2025-08-01,usd,India,0.0053\n")
        #expect(rates.layout == .callingRates)
        #expect(
            rates.rates == [
                RateEntry(
                    effectiveFrom: 2025_08_01, currency: "USD", market: "India", category: "calling",
                    rate: Decimal(string: "0.0053")!)
            ])
        let tiers = try RateCardImport.parse(
            """
            effective_from,currency,market,minutes_from,minutes_to,rate_per_minute
            2025-08-01,USD,India,0,50000,0.0053
            2025-08-01,USD,India,50001,,0.0048

            """)
        #expect(tiers.layout == .callingTiers)
        #expect(tiers.tiers.map(\.label) == ["0:50000", "50001:MAX"])
        do {
            _ = try RateCardImport.parse(
                """
                effective_from,currency,market,minutes_from,minutes_to,rate_per_minute
                2025-08-01,USD,India,1,50000,0.0053
                2025-08-01,USD,India,60000,,x
                2025-08-01,USD,India

                """)
            Issue.record("a bad calling tier file was accepted")
        } catch {
            #expect(
                error.errors == [
                    RateImportError(line: 4, reason: "expected 6 fields, found 3"),
                    RateImportError(line: 3, reason: "rate_per_minute \"x\" is not a non-negative decimal number"),
                ])
        }
        do {
            _ = try RateCardImport.parse(
                "effective_from,currency,market,rate_per_minute\n2025-08-01,USD,India,1\n2025-08-01,USD,India,2\n")
            Issue.record("a duplicate calling rate was accepted")
        } catch {
            #expect(
                error.errors == [
                    RateImportError(line: 3, reason: "USD India calling from 2025-08-01 is already on line 2")
                ])
        }
    }

    @Test("a market Meta does not have is an error, with the exact reason")
    func unknownMarket() {
        do {
            _ = try RateCardImport.parse(
                "effective_from,currency,market,category,rate\n2026-10-01,USD,Atlantis,marketing,0.01\n")
            Issue.record("an unknown market was accepted")
        } catch {
            #expect(
                error.errors == [
                    RateImportError(
                        line: 2,
                        reason:
                            "market \"Atlantis\" is not a Meta market (names are as on Meta's cards, e.g. \"Rest of Africa\")"
                    )
                ])
        }
    }
}
