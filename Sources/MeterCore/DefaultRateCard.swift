/// The card that prices reports until the user imports their own (see `Data/DefaultRateCardData.swift`
/// for its rows and source), so a new user sees estimates at once.
public enum DefaultRateCard {
    /// The rows, parsed once. The data is part of the code and tested, so a parse failure is a bug.
    public static let rates: [RateEntry] = {
        do {
            return try RateCardImport.parse(csv).rates
        } catch {
            fatalError("the built-in rate card does not parse: \(error)")
        }
    }()

    /// The rates in force: the imported ones, or the built-in card when nothing has been imported.
    public static func card(imported rates: [RateEntry], tiers: [TierEntry], anyImported: Bool) -> RateCard {
        anyImported ? RateCard(rates, tiers: tiers) : RateCard(Self.rates)
    }
}
