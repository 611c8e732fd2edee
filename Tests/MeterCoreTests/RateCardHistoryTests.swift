import Foundation
import Testing

@testable import MeterCore

/// Whole cards, patches, the pricing-model boundary, and imports over the built-in history.
@Suite("Rate card history")
struct RateCardHistoryTests {
    static func rate(
        _ day: DayKey, _ market: String, _ category: String, _ value: String, currency: String = "USD"
    )
        -> RateEntry
    {
        RateEntry(
            effectiveFrom: day, currency: currency, market: market, category: category, rate: Decimal(string: value)!)
    }

    static func card(
        _ day: DayKey, _ kind: RateCardEdition.Kind, _ rates: [RateEntry], tiers: [TierEntry] = [],
        origin: RateCardEdition.Origin = .builtIn
    ) -> RateCardEdition {
        RateCardEdition(currency: "USD", effectiveFrom: day, kind: kind, origin: origin, rates: rates, tiers: tiers)
    }

    @Test("a market missing from the whole card in force is unrated, not priced by an older card")
    func gapIsUnrated() {
        let card = RateCard(editions: [
            Self.card(
                2026_01_01, .whole,
                [
                    Self.rate(2026_01_01, "India", "marketing", "0.0118"),
                    Self.rate(2026_01_01, "Brazil", "marketing", "0.0625"),
                ]),
            Self.card(2026_04_01, .whole, [Self.rate(2026_04_01, "India", "marketing", "0.0120")]),
        ])
        #expect(
            card.rate(currency: "USD", market: "Brazil", category: "marketing", on: 2026_03_31)
                == Decimal(string: "0.0625"))
        #expect(card.rate(currency: "USD", market: "Brazil", category: "marketing", on: 2026_04_01) == nil)
        #expect(
            card.rate(currency: "USD", market: "India", category: "marketing", on: 2026_04_01)
                == Decimal(string: "0.0120"))
        #expect(card.rate(currency: "USD", market: "India", category: "marketing", on: 2025_12_31) == nil)
    }

    @Test("a conversation-era card never prices a message, and ends when per-message pricing starts")
    func modelSeparation() {
        let card = RateCard(editions: [
            Self.card(2024_10_01, .whole, [Self.rate(2024_10_01, "North America", "authentication", "0.0135")]),
            Self.card(2025_10_01, .whole, [Self.rate(2025_10_01, "North America", "authentication", "0.0034")]),
        ])
        #expect(
            card.rate(currency: "USD", market: "North America", category: "authentication", on: 2025_06_30)
                == Decimal(string: "0.0135"))
        // 2025-07..09: no per-message card, so unrated (not the 2024 conversation rate).
        #expect(card.rate(currency: "USD", market: "North America", category: "authentication", on: 2025_07_01) == nil)
        #expect(card.rate(currency: "USD", market: "North America", category: "authentication", on: 2025_09_30) == nil)
        #expect(
            card.rate(currency: "USD", market: "North America", category: "authentication", on: 2025_10_01)
                == Decimal(string: "0.0034"))
        #expect(card.editions(currency: "USD", from: 2025_08_01, through: 2025_08_31).isEmpty)
    }

    @Test("a patch changes what it lists and keeps the rest; the next whole card ends both")
    func patches() {
        let card = RateCard(editions: [
            Self.card(
                2026_04_01, .whole,
                [
                    Self.rate(2026_04_01, "India", "marketing", "0.0118"),
                    Self.rate(2026_04_01, "Italy", "marketing", "0.0691"),
                ],
                tiers: [
                    TierEntry(
                        effectiveFrom: 2026_04_01, currency: "USD", market: "India", category: "utility", volumeFrom: 1,
                        volumeTo: nil, rate: Decimal(string: "0.0014")!)
                ]),
            Self.card(
                2026_07_01, .patch,
                [
                    Self.rate(2026_07_01, "Italy", "marketing", "0.0795"),
                    Self.rate(2026_07_01, "Qatar", "marketing", "0.05"),
                ]),
            Self.card(2026_10_01, .whole, [Self.rate(2026_10_01, "India", "marketing", "0.0118")]),
        ])
        func rate(_ market: String, _ day: DayKey) -> Decimal? {
            card.rate(currency: "USD", market: market, category: "marketing", on: day)
        }
        #expect(rate("Italy", 2026_06_30) == Decimal(string: "0.0691"))
        #expect(rate("Italy", 2026_07_01) == Decimal(string: "0.0795"))
        #expect(rate("Qatar", 2026_07_01) == Decimal(string: "0.05"))
        #expect(rate("India", 2026_07_01) == Decimal(string: "0.0118"))
        #expect(card.tierTable(currency: "USD", market: "India", category: "utility", on: 2026_08_01)?.count == 1)
        #expect(rate("Italy", 2026_10_01) == nil)
        #expect(rate("Qatar", 2026_10_01) == nil)
        #expect(card.tierTable(currency: "USD", market: "India", category: "utility", on: 2026_10_01) == nil)
        #expect(
            card.editions(currency: "USD", from: 2026_09_01, through: 2026_10_31).map(\.effectiveFrom) == [
                "2026-04-01", "2026-07-01", "2026-10-01",
            ])
    }

    @Test("rows imported without a stored kind: whole with rates, a patch with tier tables alone")
    func looseRows() {
        let editions = RateCardHistory.importedEditions(
            rates: [Self.rate(2026_01_01, "India", "marketing", "0.0118")],
            tiers: [
                TierEntry(
                    effectiveFrom: 2026_02_01, currency: "USD", market: "India", category: "utility", volumeFrom: 1,
                    volumeTo: nil, rate: Decimal(string: "0.001")!)
            ], cards: [])
        #expect(Set(editions.map { "\($0.effectiveFrom) \($0.kind)" }) == ["20260101 whole", "20260201 patch"])
        let card = RateCard(editions: editions)
        #expect(
            card.rate(currency: "USD", market: "India", category: "marketing", on: 2026_02_15)
                == Decimal(string: "0.0118"))
    }

    @Test("an import replaces the built-in card of its currency and day and nothing else")
    func importsOverBuiltIn() {
        let builtIn = [
            Self.card(
                2026_01_01, .whole,
                [
                    Self.rate(2026_01_01, "India", "marketing", "0.0118"),
                    Self.rate(2026_01_01, "Brazil", "marketing", "0.0625"),
                ]),
            Self.card(2026_04_01, .whole, [Self.rate(2026_04_01, "India", "marketing", "0.0125")]),
        ]
        let whole = RateCardHistory.editions(
            importedRates: [Self.rate(2026_01_01, "India", "marketing", "0.02")], tiers: [],
            cards: [ImportedRateCardInfo(currency: "USD", effectiveFrom: 2026_01_01, kind: .whole, importedAt: 0)],
            builtIn: builtIn)
        let wholeCard = RateCard(editions: whole)
        #expect(
            wholeCard.rate(currency: "USD", market: "India", category: "marketing", on: 2026_02_01)
                == Decimal(string: "0.02"))
        #expect(wholeCard.rate(currency: "USD", market: "Brazil", category: "marketing", on: 2026_02_01) == nil)
        #expect(
            wholeCard.rate(currency: "USD", market: "India", category: "marketing", on: 2026_05_01)
                == Decimal(string: "0.0125"))
        #expect(whole.map(\.origin) == [.imported, .builtIn])

        let patch = RateCardHistory.editions(
            importedRates: [Self.rate(2026_01_01, "India", "marketing", "0.02")], tiers: [],
            cards: [ImportedRateCardInfo(currency: "USD", effectiveFrom: 2026_01_01, kind: .patch, importedAt: 0)],
            builtIn: builtIn)
        let patchCard = RateCard(editions: patch)
        #expect(
            patchCard.rate(currency: "USD", market: "India", category: "marketing", on: 2026_02_01)
                == Decimal(string: "0.02"))
        #expect(
            patchCard.rate(currency: "USD", market: "Brazil", category: "marketing", on: 2026_02_01)
                == Decimal(string: "0.0625"))
        #expect(patch.first?.origin == .importedOverBuiltIn)
        #expect(patch.first?.kind == .whole)

        // A whole card on a day of its own ends the built-in card before it.
        let later = RateCard(
            editions: RateCardHistory.editions(
                importedRates: [Self.rate(2026_02_01, "India", "marketing", "0.03")], tiers: [],
                cards: [ImportedRateCardInfo(currency: "USD", effectiveFrom: 2026_02_01, kind: .whole, importedAt: 0)],
                builtIn: builtIn))
        #expect(later.rate(currency: "USD", market: "Brazil", category: "marketing", on: 2026_02_01) == nil)
        #expect(
            later.rate(currency: "USD", market: "Brazil", category: "marketing", on: 2026_01_31)
                == Decimal(string: "0.0625"))
    }

    @Test("from 2026-10-01 service takes the utility rate of the card in force when it has no service rate")
    func serviceAtUtility() {
        let card = RateCard(editions: [
            Self.card(2026_10_01, .whole, [Self.rate(2026_10_01, "India", "utility", "0.0014")])
        ])
        #expect(
            card.rate(currency: "USD", market: "India", category: "service", on: 2026_10_01)
                == Decimal(string: "0.0014"))
        #expect(
            card.rate(currency: "USD", market: "India", category: "group_service", on: 2026_10_02)
                == Decimal(string: "0.0014"))
    }

    @Test("a calling card and a messaging card are separate histories: neither ends the other")
    func callingHistory() {
        let calling = RateCardEdition(
            currency: "USD", effectiveFrom: 2026_02_01, kind: .whole, origin: .imported,
            rates: [Self.rate(2026_02_01, "India", "calling", "0.0053")],
            tiers: [
                TierEntry(
                    effectiveFrom: 2026_02_01, currency: "USD", market: "India", category: "calling", volumeFrom: 1,
                    volumeTo: nil, rate: Decimal(string: "0.005")!)
            ])
        #expect(calling.product == .calling)
        #expect(!calling.pricesConversations)
        let card = RateCard(editions: [
            Self.card(2026_01_01, .whole, [Self.rate(2026_01_01, "India", "marketing", "0.0118")]), calling,
        ])
        #expect(
            card.rate(currency: "USD", market: "India", category: "marketing", on: 2026_03_01)
                == Decimal(string: "0.0118"))
        #expect(
            card.rate(currency: "USD", market: "India", category: "calling", on: 2026_03_01)
                == Decimal(string: "0.0053"))
        #expect(card.rate(currency: "USD", market: "India", category: "calling", on: 2026_01_31) == nil)
        #expect(
            card.rate(currency: "USD", market: "India", category: "calling", on: 2026_03_01, position: 9)
                == Decimal(string: "0.005"))
        #expect(
            card.editions(currency: "USD", from: 2026_03_01, through: 2026_03_01).map(\.effectiveFrom) == ["2026-01-01"]
        )
        #expect(
            card.editions(currency: "USD", product: .calling, from: 2026_03_01, through: 2026_03_01).map(\.label) == [
                "USD calling 2026-02-01 whole, imported"
            ])
    }
}
