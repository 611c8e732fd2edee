import Testing

@testable import MeterCore

@Suite("Calling codes and markets")
struct MarketTests {
    @Test(
        "number to country by longest prefix",
        arguments: [
            ("16505551234", "US"), ("+1 416 555 0100", "CA"), ("18095550100", "DO"), ("18295550100", "DO"),
            ("18495550100", "DO"), ("18765550100", "JM"), ("16585550100", "JM"), ("17875550100", "PR"),
            ("19395550100", "PR"), ("12425550100", "BS"), ("919876543210", "IN"), ("5511987654321", "BR"),
            ("79161234567", "RU"), ("77011234567", "KZ"), ("447700900123", "GB"), ("4915112345678", "DE"),
            ("2637712345678", "ZW"), ("85291234567", "HK"), ("9999", "ZZ"),
        ])
    func country(number: String, iso: String) {
        #expect(CallingCodes.country(ofNumber: number) == iso)
    }

    @Test("group ids and business-scoped user ids have no country")
    func noNumber() {
        #expect(CallingCodes.country(ofNumber: "120363045067@g.us") == nil)
        #expect(CallingCodes.country(ofNumber: "user.9373795779eb") == nil)
        #expect(CallingCodes.country(ofNumber: "") == nil)
        #expect(RecipientCountry.of(number: nil, countryCode: "us") == "US")
        #expect(RecipientCountry.of(number: nil, countryCode: nil) == "")
    }

    @Test(
        "country to market by date",
        arguments: [
            ("US", DayKey(2026_01_01), "North America"), ("CA", 2026_01_01, "North America"),
            ("DO", 2026_01_01, "Rest of Latin America"), ("JM", 2026_01_01, "Rest of Latin America"),
            ("PR", 2026_01_01, "Rest of Latin America"), ("BS", 2026_01_01, "Other"),
            ("ZW", 2025_09_30, "Other"), ("ZW", 2025_10_01, "Rest of Africa"),
            ("HK", 2026_06_30, "Rest of Asia Pacific"), ("HK", 2026_07_01, "Hong Kong"),
            ("SG", 2026_07_01, "Singapore"), ("QA", 2026_06_30, "Rest of Middle East"), ("QA", 2026_07_01, "Qatar"),
            ("HU", 2026_07_01, "Hungary"), ("PL", 2026_06_30, "Rest of Central & Eastern Europe"),
            ("RO", 2026_07_01, "Romania"), ("MA", 2026_09_30, "Rest of Africa"), ("MA", 2026_10_01, "Morocco"),
            ("UA", 2026_10_01, "Ukraine"), ("BD", 2026_10_01, "Bangladesh"), ("NP", 2026_09_30, "Rest of Asia Pacific"),
            ("IQ", 2026_10_01, "Iraq"), ("KW", 2026_10_01, "Kuwait"), ("OM", 2026_10_01, "Oman"),
            ("LK", 2026_10_01, "Sri Lanka"), ("KZ", 2026_10_01, "Kazakhstan"), ("KZ", 2026_09_30, "Russia"),
            ("IN", 2026_10_01, "India"), ("FR", 2026_10_01, "France"),
            ("GR", 2026_10_01, "Rest of Central & Eastern Europe"),
            ("JP", 2026_10_01, "Rest of Asia Pacific"), ("CH", 2026_10_01, "Rest of Western Europe"),
            ("IS", 2026_10_01, "Other"), ("ZZ", 2026_10_01, "Other"), ("", 2026_10_01, "Unknown"),
        ])
    func market(country: String, day: DayKey, market: String) {
        #expect(MarketTable.standard.market(country: country, on: day) == market)
    }
}
