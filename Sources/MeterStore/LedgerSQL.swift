/// SQL spellings shared by the SQLite and PostgreSQL stores.
enum LedgerSQL {
    /// The categories that count toward volume tiers (`RateCardImport.tieredCategories`), spelled as
    /// both backends' `messages_tiered` index condition: a query must repeat it exactly for SQLite to
    /// use that partial index. (Migrations keep their own literal: they never change once shipped.)
    static let tieredCategories = "('utility', 'authentication', 'authentication_international')"
}
