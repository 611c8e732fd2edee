import MeterCore

/// SQL spellings shared by the SQLite and PostgreSQL writers. (Reads are spelled once, from
/// MeterCore's selections, by `SelectionSQL`.)
enum LedgerSQL {
    /// Messages that may belong to a conversation that is a billing unit: a conversation id, and a
    /// pricing model that is CBP or not stated (then the date decides, `PricingRules.model`). Other
    /// models never count a conversation (`PricingRules.countsConversation`), so per-message-pricing
    /// traffic, which carries a conversation id per message in API v23, stays out of the
    /// `messages_conversation` index and pays nothing for it. Spelled as the index condition: the
    /// recount query must repeat it exactly for SQLite to use the partial index.
    static let mayCountConversation = "conversation_id IS NOT NULL AND (pricing_model = 'CBP' OR pricing_model IS NULL)"
}
