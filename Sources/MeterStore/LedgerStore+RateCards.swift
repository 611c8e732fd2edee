import MeterCore

extension LedgerStore {
    /// The rate cards (built-in and imported) that price some day from `first` through `last` in a
    /// currency: what a page shows beside figures it got from the insights.
    public func rateCards(
        currency: String, product: RateCardEdition.Product = .messaging, from first: DayKey, through last: DayKey
    ) async throws -> [RateCardEdition.Summary] {
        try await withSnapshot { snapshot in
            try await snapshot.importedRates(currency: currency).card.editions(
                currency: currency, product: product, from: first, through: last)
        }
    }
}

extension LedgerStore {
    /// Every rate card of a currency, built in and imported, as reports price with it.
    public func rateCard(currency: String) async throws -> RateCard {
        try await withSnapshot { snapshot in try await snapshot.importedRates(currency: currency).card }
    }
}
