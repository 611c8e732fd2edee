/// Where simulated recipients live: calling-code prefixes across many rate-card markets (including
/// the +1 Caribbean splits, the shared +7 code and markets that changed in 2025–2026), with rough
/// weights. `digits` is how many digits follow the prefix.
enum SimulatedRecipients {
    static let prefixes: [((prefix: String, digits: Int, country: String), Int)] = [
        (("91", 10, "IN"), 18), (("55", 11, "BR"), 10), (("1", 10, "US"), 8), (("52", 10, "MX"), 6),
        (("62", 11, "ID"), 6), (("44", 10, "GB"), 4), (("49", 11, "DE"), 3), (("234", 10, "NG"), 4),
        (("254", 9, "KE"), 3), (("63", 10, "PH"), 3), (("57", 10, "CO"), 3), (("1809", 7, "DO"), 1),
        (("1876", 7, "JM"), 1), (("1242", 7, "BS"), 1), (("61", 9, "AU"), 2), (("351", 9, "PT"), 2),
        (("380", 9, "UA"), 2), (("966", 9, "SA"), 2), (("971", 9, "AE"), 2), (("20", 10, "EG"), 2),
        (("212", 9, "MA"), 1), (("77", 9, "KZ"), 1), (("7", 10, "RU"), 1), (("852", 8, "HK"), 1),
        (("65", 8, "SG"), 1), (("48", 9, "PL"), 1), (("263", 9, "ZW"), 1), (("880", 10, "BD"), 1),
        (("964", 10, "IQ"), 1), (("33", 9, "FR"), 2), (("34", 9, "ES"), 2), (("39", 10, "IT"), 2),
        (("90", 10, "TR"), 2), (("92", 10, "PK"), 2), (("60", 9, "MY"), 2), (("27", 9, "ZA"), 2),
    ]

    /// Where simulated calls go: countries whose market the built-in USD calling card prices on
    /// every day from 2025-08-01 (so the demo's calls are all rated).
    static let calling: [((prefix: String, digits: Int, country: String), Int)] = [
        (("91", 10, "IN"), 18), (("55", 11, "BR"), 10), (("52", 10, "MX"), 6), (("62", 11, "ID"), 6),
        (("44", 10, "GB"), 4), (("49", 11, "DE"), 3), (("57", 10, "CO"), 3), (("254", 9, "KE"), 3),
        (("63", 10, "PH"), 3), (("33", 9, "FR"), 2), (("34", 9, "ES"), 2), (("60", 9, "MY"), 2),
        (("27", 9, "ZA"), 2),
    ]

    /// Countries with an authentication-international rate (reference §7.5): nine until the
    /// markets made standalone on 2026-10-01 brought nine more.
    static let authenticationInternational: Set<String> = ["EG", "IN", "ID", "MY", "NG", "PK", "SA", "ZA", "AE"]
    static let authenticationInternationalFrom2026_10: Set<String> = authenticationInternational.union([
        "BD", "IQ", "KZ", "KW", "MA", "NP", "OM", "LK", "UA",
    ])
}
