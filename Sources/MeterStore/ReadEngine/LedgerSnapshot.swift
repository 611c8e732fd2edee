import MeterCore

/// What a backend must implement for the read side: a few narrow reads over one consistent snapshot
/// of the ledger. They carry no billing rule (which records a report needs is `ReportSelections`,
/// how they become a report is `ReportPlan` and `ReportBuilder`), so a new query is written once,
/// above this line, and a new backend implements only these.
public protocol LedgerSnapshot: Sendable {
    /// The accounts of a portfolio, by id.
    func accounts(inPortfolio portfolio: String) async throws -> [Account]

    /// Counter cells, in no particular order.
    func rollups(_ selection: RollupSelection) async throws -> [RollupRow]

    /// Whether the selection holds any counter cell (a probe: a month without one has nothing to
    /// price).
    func hasRollups(_ selection: RollupSelection) async throws -> Bool

    /// Conversation records, in the selection's order (first delivery, then conversation id).
    func conversations(_ selection: ConversationSelection) async throws -> [ConversationRecord]

    /// How many conversation records the selection holds (its limit ignored).
    func count(_ selection: ConversationSelection) async throws -> Int

    /// Message records, each passed through `transform` as it is read (so that a month of messages
    /// need not be held as records), keeping the non-nil results; in no particular order.
    func messages<T: Sendable>(
        _ selection: MessageSelection, _ transform: @escaping @Sendable (MessageRecord) -> T?
    ) async throws -> [T]

    /// How many message records the selection holds.
    func count(_ selection: MessageSelection) async throws -> Int

    /// Meta's tier-update announcements for a month, from any of `accounts`.
    func tierUpdates(accounts: [String], effectiveMonth: YearMonth) async throws -> [TierUpdate]

    /// The display numbers the accounts' phone numbers were seen with.
    func phoneNumbers(accounts: [String]) async throws -> [BusinessPhoneNumber]

    /// An account's calls placed (`CallRecord.placedAt`) in a range of epoch seconds.
    func calls(account: String, placedIn range: Range<Int64>) async throws -> [CallRecord]

    /// The imported rates, tier tables and cards of one currency.
    func importedRates(currency: String) async throws -> ImportedRates
}

/// The rate card rows and cards imported for one currency.
public struct ImportedRates: Sendable {
    public var currency: String
    public var entries: [RateEntry]
    public var tiers: [TierEntry]
    public var cards: [ImportedRateCardInfo]

    /// The card reports price with: the built-in history with the imported cards over it.
    public var card: RateCard {
        RateCardHistory.card(currency: currency, importedRates: entries, tiers: tiers, cards: cards)
    }
}
