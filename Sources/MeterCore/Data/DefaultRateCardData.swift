// The rate card wameter uses until the first `wameter rates import`: USD list rates (before volume
// tiers) in the canonical CSV layout. Any import replaces it as a whole, so a user's own cards are
// never mixed with these.
//
// Source: reference/whatsapp-billing.md §8.4.
// - 2026-01-01: the per-message USD card "effective January 1, 2026" (third-party transcription,
//   cross-checked against India, Rest of Africa and Rest of Central & Eastern Europe figures quoted
//   from Meta's pages).
// - 2026-04-01: India authentication-international 0.0304.
// - 2026-10-01: the points of the October 2026 card the reference establishes (India, Rest of Africa
//   service, France and Other utility/service, three authentication-international rates).
// Markets with no row here (e.g. the markets made standalone in July and October 2026) are reported
// as unrated rather than priced with a guess. Check against Meta's card before billing with it.
extension DefaultRateCard {
    /// One line saying where the built-in rates come from, for `rates list`.
    public static let source =
        "reference §8.4: USD list rates effective 2026-01-01, with the known 2026-04-01 and 2026-10-01 changes"
    static let csv = """
        effective_from,currency,market,category,rate
        2026-01-01,USD,North America,marketing,0.0250
        2026-01-01,USD,North America,utility,0.0034
        2026-01-01,USD,North America,authentication,0.0034
        2026-01-01,USD,Brazil,marketing,0.0625
        2026-01-01,USD,Brazil,utility,0.0068
        2026-01-01,USD,Brazil,authentication,0.0068
        2026-01-01,USD,Mexico,marketing,0.0305
        2026-01-01,USD,Mexico,utility,0.0085
        2026-01-01,USD,Mexico,authentication,0.0085
        2026-01-01,USD,Colombia,marketing,0.0125
        2026-01-01,USD,Colombia,utility,0.0008
        2026-01-01,USD,Colombia,authentication,0.0008
        2026-01-01,USD,India,marketing,0.0118
        2026-01-01,USD,India,utility,0.0014
        2026-01-01,USD,India,authentication,0.0014
        2026-01-01,USD,India,authentication_international,0.0280
        2026-01-01,USD,Indonesia,marketing,0.0411
        2026-01-01,USD,Indonesia,utility,0.0250
        2026-01-01,USD,Indonesia,authentication,0.0250
        2026-01-01,USD,Indonesia,authentication_international,0.1360
        2026-01-01,USD,Germany,marketing,0.1365
        2026-01-01,USD,Germany,utility,0.0550
        2026-01-01,USD,Germany,authentication,0.0550
        2026-01-01,USD,United Kingdom,marketing,0.0529
        2026-01-01,USD,United Kingdom,utility,0.0220
        2026-01-01,USD,United Kingdom,authentication,0.0220
        2026-01-01,USD,Nigeria,marketing,0.0516
        2026-01-01,USD,Nigeria,utility,0.0067
        2026-01-01,USD,Nigeria,authentication,0.0067
        2026-01-01,USD,Nigeria,authentication_international,0.0750
        2026-01-01,USD,Rest of Africa,marketing,0.0225
        2026-01-01,USD,Rest of Africa,utility,0.0040
        2026-01-01,USD,Rest of Africa,authentication,0.0040
        2026-01-01,USD,Rest of Asia Pacific,marketing,0.0732
        2026-01-01,USD,Rest of Asia Pacific,utility,0.0113
        2026-01-01,USD,Rest of Asia Pacific,authentication,0.0113
        2026-01-01,USD,Rest of Central & Eastern Europe,marketing,0.0860
        2026-01-01,USD,Rest of Central & Eastern Europe,utility,0.0212
        2026-01-01,USD,Rest of Central & Eastern Europe,authentication,0.0212
        2026-01-01,USD,Rest of Latin America,marketing,0.0740
        2026-01-01,USD,Rest of Latin America,utility,0.0113
        2026-01-01,USD,Rest of Latin America,authentication,0.0113
        2026-01-01,USD,Rest of Middle East,marketing,0.0341
        2026-01-01,USD,Rest of Middle East,utility,0.0091
        2026-01-01,USD,Rest of Middle East,authentication,0.0091
        2026-01-01,USD,Rest of Western Europe,marketing,0.0592
        2026-01-01,USD,Rest of Western Europe,utility,0.0171
        2026-01-01,USD,Rest of Western Europe,authentication,0.0171
        2026-01-01,USD,Other,marketing,0.0604
        2026-01-01,USD,Other,utility,0.0077
        2026-01-01,USD,Other,authentication,0.0077
        2026-04-01,USD,India,authentication_international,0.0304
        2026-10-01,USD,India,marketing,0.0118
        2026-10-01,USD,India,utility,0.0014
        2026-10-01,USD,India,authentication,0.0014
        2026-10-01,USD,India,authentication_international,0.0304
        2026-10-01,USD,India,service,0.0014
        2026-10-01,USD,Rest of Africa,service,0.0040
        2026-10-01,USD,France,utility,0.0300
        2026-10-01,USD,France,service,0.0300
        2026-10-01,USD,Other,service,0.0077
        2026-10-01,USD,Nigeria,authentication_international,0.0750
        2026-10-01,USD,Morocco,authentication_international,0.0811
        2026-10-01,USD,South Africa,authentication_international,0.0200
        """
}
