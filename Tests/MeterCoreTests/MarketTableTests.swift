import Testing

@testable import MeterCore

/// Every country of the reference's §8.2 market table (read from Meta's page, rates effective
/// 2026-07-01), by a phone number in it: its market the day before the October 2026 changes and
/// on their first day. Generated from the reference's text, so the test and the data file are two
/// independent readings of it.
@Suite("The §8.2 market table, country by country")
struct MarketTableTests {
    @Test(
        "each listed country's market on 2026-09-30 and 2026-10-01",
        arguments: [
            ("5421234567", "Argentina", "Argentina"),  // Argentina
            ("5521234567", "Brazil", "Brazil"),  // Brazil
            ("5621234567", "Chile", "Chile"),  // Chile
            ("5721234567", "Colombia", "Colombia"),  // Colombia
            ("2021234567", "Egypt", "Egypt"),  // Egypt
            ("3321234567", "France", "France"),  // France
            ("4921234567", "Germany", "Germany"),  // Germany
            ("85221234567", "Hong Kong", "Hong Kong"),  // Hong Kong
            ("3621234567", "Hungary", "Hungary"),  // Hungary
            ("9121234567", "India", "India"),  // India
            ("6221234567", "Indonesia", "Indonesia"),  // Indonesia
            ("97221234567", "Israel", "Israel"),  // Israel
            ("3921234567", "Italy", "Italy"),  // Italy
            ("6021234567", "Malaysia", "Malaysia"),  // Malaysia
            ("5221234567", "Mexico", "Mexico"),  // Mexico
            ("3121234567", "Netherlands", "Netherlands"),  // Netherlands
            ("23421234567", "Nigeria", "Nigeria"),  // Nigeria
            ("9221234567", "Pakistan", "Pakistan"),  // Pakistan
            ("5121234567", "Peru", "Peru"),  // Peru
            ("4821234567", "Poland", "Poland"),  // Poland
            ("97421234567", "Qatar", "Qatar"),  // Qatar
            ("4021234567", "Romania", "Romania"),  // Romania
            ("79161234567", "Russia", "Russia"),  // Russia
            ("96621234567", "Saudi Arabia", "Saudi Arabia"),  // Saudi Arabia
            ("6521234567", "Singapore", "Singapore"),  // Singapore
            ("2721234567", "South Africa", "South Africa"),  // South Africa
            ("3421234567", "Spain", "Spain"),  // Spain
            ("9021234567", "Turkey", "Turkey"),  // Turkey
            ("97121234567", "United Arab Emirates", "United Arab Emirates"),  // United Arab Emirates
            ("4421234567", "United Kingdom", "United Kingdom"),  // United Kingdom
            ("21321234567", "Rest of Africa", "Rest of Africa"),  // Algeria
            ("24421234567", "Rest of Africa", "Rest of Africa"),  // Angola
            ("22921234567", "Rest of Africa", "Rest of Africa"),  // Benin
            ("26721234567", "Rest of Africa", "Rest of Africa"),  // Botswana
            ("22621234567", "Rest of Africa", "Rest of Africa"),  // Burkina Faso
            ("25721234567", "Rest of Africa", "Rest of Africa"),  // Burundi
            ("23721234567", "Rest of Africa", "Rest of Africa"),  // Cameroon
            ("23521234567", "Rest of Africa", "Rest of Africa"),  // Chad
            ("24221234567", "Rest of Africa", "Rest of Africa"),  // Republic of the Congo
            ("29121234567", "Rest of Africa", "Rest of Africa"),  // Eritrea
            ("25121234567", "Rest of Africa", "Rest of Africa"),  // Ethiopia
            ("24121234567", "Rest of Africa", "Rest of Africa"),  // Gabon
            ("22021234567", "Rest of Africa", "Rest of Africa"),  // Gambia
            ("23321234567", "Rest of Africa", "Rest of Africa"),  // Ghana
            ("24521234567", "Rest of Africa", "Rest of Africa"),  // Guinea-Bissau
            ("22521234567", "Rest of Africa", "Rest of Africa"),  // Ivory Coast
            ("25421234567", "Rest of Africa", "Rest of Africa"),  // Kenya
            ("26621234567", "Rest of Africa", "Rest of Africa"),  // Lesotho
            ("23121234567", "Rest of Africa", "Rest of Africa"),  // Liberia
            ("21821234567", "Rest of Africa", "Rest of Africa"),  // Libya
            ("26121234567", "Rest of Africa", "Rest of Africa"),  // Madagascar
            ("26521234567", "Rest of Africa", "Rest of Africa"),  // Malawi
            ("22321234567", "Rest of Africa", "Rest of Africa"),  // Mali
            ("22221234567", "Rest of Africa", "Rest of Africa"),  // Mauritania
            ("21221234567", "Rest of Africa", "Morocco"),  // Morocco
            ("25821234567", "Rest of Africa", "Rest of Africa"),  // Mozambique
            ("26421234567", "Rest of Africa", "Rest of Africa"),  // Namibia
            ("22721234567", "Rest of Africa", "Rest of Africa"),  // Niger
            ("25021234567", "Rest of Africa", "Rest of Africa"),  // Rwanda
            ("22121234567", "Rest of Africa", "Rest of Africa"),  // Senegal
            ("23221234567", "Rest of Africa", "Rest of Africa"),  // Sierra Leone
            ("25221234567", "Rest of Africa", "Rest of Africa"),  // Somalia
            ("21121234567", "Rest of Africa", "Rest of Africa"),  // South Sudan
            ("24921234567", "Rest of Africa", "Rest of Africa"),  // Sudan
            ("26821234567", "Rest of Africa", "Rest of Africa"),  // Swaziland
            ("25521234567", "Rest of Africa", "Rest of Africa"),  // Tanzania
            ("22821234567", "Rest of Africa", "Rest of Africa"),  // Togo
            ("21621234567", "Rest of Africa", "Rest of Africa"),  // Tunisia
            ("25621234567", "Rest of Africa", "Rest of Africa"),  // Uganda
            ("26021234567", "Rest of Africa", "Rest of Africa"),  // Zambia
            ("26321234567", "Rest of Africa", "Rest of Africa"),  // Zimbabwe
            ("9321234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Afghanistan
            ("6121234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Australia
            ("88021234567", "Rest of Asia Pacific", "Bangladesh"),  // Bangladesh
            ("85521234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Cambodia
            ("8621234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // China
            ("8121234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Japan
            ("85621234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Laos
            ("97621234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Mongolia
            ("97721234567", "Rest of Asia Pacific", "Nepal"),  // Nepal
            ("6421234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // New Zealand
            ("67521234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Papua New Guinea
            ("6321234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Philippines
            ("9421234567", "Rest of Asia Pacific", "Sri Lanka"),  // Sri Lanka
            ("88621234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Taiwan
            ("99221234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Tajikistan
            ("6621234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Thailand
            ("99321234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Turkmenistan
            ("99821234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Uzbekistan
            ("8421234567", "Rest of Asia Pacific", "Rest of Asia Pacific"),  // Vietnam
            ("35521234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Albania
            ("37421234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Armenia
            ("99421234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Azerbaijan
            ("37521234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Belarus
            ("35921234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Bulgaria
            ("38521234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Croatia
            ("42021234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Czech Republic
            ("99521234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Georgia
            ("3021234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Greece
            ("37121234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Latvia
            ("37021234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Lithuania
            ("37321234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Moldova
            ("38921234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // North Macedonia
            ("38121234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Serbia
            ("42121234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Slovakia
            ("38621234567", "Rest of Central & Eastern Europe", "Rest of Central & Eastern Europe"),  // Slovenia
            ("38021234567", "Rest of Central & Eastern Europe", "Ukraine"),  // Ukraine
            ("4321234567", "Rest of Western Europe", "Rest of Western Europe"),  // Austria
            ("3221234567", "Rest of Western Europe", "Rest of Western Europe"),  // Belgium
            ("4521234567", "Rest of Western Europe", "Rest of Western Europe"),  // Denmark
            ("35821234567", "Rest of Western Europe", "Rest of Western Europe"),  // Finland
            ("35321234567", "Rest of Western Europe", "Rest of Western Europe"),  // Ireland
            ("4721234567", "Rest of Western Europe", "Rest of Western Europe"),  // Norway
            ("35121234567", "Rest of Western Europe", "Rest of Western Europe"),  // Portugal
            ("4621234567", "Rest of Western Europe", "Rest of Western Europe"),  // Sweden
            ("4121234567", "Rest of Western Europe", "Rest of Western Europe"),  // Switzerland
            ("59121234567", "Rest of Latin America", "Rest of Latin America"),  // Bolivia
            ("50621234567", "Rest of Latin America", "Rest of Latin America"),  // Costa Rica
            ("18095550100", "Rest of Latin America", "Rest of Latin America"),  // Dominican Republic
            ("18295550100", "Rest of Latin America", "Rest of Latin America"),  // Dominican Republic
            ("18495550100", "Rest of Latin America", "Rest of Latin America"),  // Dominican Republic
            ("59321234567", "Rest of Latin America", "Rest of Latin America"),  // Ecuador
            ("50321234567", "Rest of Latin America", "Rest of Latin America"),  // El Salvador
            ("50221234567", "Rest of Latin America", "Rest of Latin America"),  // Guatemala
            ("50921234567", "Rest of Latin America", "Rest of Latin America"),  // Haiti
            ("50421234567", "Rest of Latin America", "Rest of Latin America"),  // Honduras
            ("16585550100", "Rest of Latin America", "Rest of Latin America"),  // Jamaica
            ("18765550100", "Rest of Latin America", "Rest of Latin America"),  // Jamaica
            ("50521234567", "Rest of Latin America", "Rest of Latin America"),  // Nicaragua
            ("50721234567", "Rest of Latin America", "Rest of Latin America"),  // Panama
            ("59521234567", "Rest of Latin America", "Rest of Latin America"),  // Paraguay
            ("17875550100", "Rest of Latin America", "Rest of Latin America"),  // Puerto Rico
            ("19395550100", "Rest of Latin America", "Rest of Latin America"),  // Puerto Rico
            ("59821234567", "Rest of Latin America", "Rest of Latin America"),  // Uruguay
            ("5821234567", "Rest of Latin America", "Rest of Latin America"),  // Venezuela
            ("97321234567", "Rest of Middle East", "Rest of Middle East"),  // Bahrain
            ("96421234567", "Rest of Middle East", "Iraq"),  // Iraq
            ("96221234567", "Rest of Middle East", "Rest of Middle East"),  // Jordan
            ("96521234567", "Rest of Middle East", "Kuwait"),  // Kuwait
            ("96121234567", "Rest of Middle East", "Rest of Middle East"),  // Lebanon
            ("96821234567", "Rest of Middle East", "Oman"),  // Oman
            ("96721234567", "Rest of Middle East", "Rest of Middle East"),  // Yemen
        ])
    func market(number: String, before: String, after: String) {
        let country = CallingCodes.country(ofNumber: number)!
        #expect(country != CallingCodes.unlistedCountry)
        #expect(MarketTable.standard.market(country: country, on: 2026_09_30) == before)
        #expect(MarketTable.standard.market(country: country, on: 2026_10_01) == after)
    }

    @Test(
        "the July 2026 six were in their regions until 2026-06-30",
        arguments: [
            ("85221234567", "Rest of Asia Pacific", "Hong Kong"), ("6521234567", "Rest of Asia Pacific", "Singapore"),
            ("3621234567", "Rest of Central & Eastern Europe", "Hungary"),
            ("4821234567", "Rest of Central & Eastern Europe", "Poland"),
            ("4021234567", "Rest of Central & Eastern Europe", "Romania"),
            ("97421234567", "Rest of Middle East", "Qatar"),
        ])
    func july2026(number: String, before: String, after: String) {
        let country = CallingCodes.country(ofNumber: number)!
        #expect(MarketTable.standard.market(country: country, on: 2026_06_30) == before)
        #expect(MarketTable.standard.market(country: country, on: 2026_07_01) == after)
    }

    @Test("Zimbabwe: Other until 2025-09-30, Rest of Africa from 2025-10-01")
    func zimbabwe() {
        #expect(MarketTable.standard.market(country: "ZW", on: 2025_09_30) == "Other")
        #expect(MarketTable.standard.market(country: "ZW", on: 2025_10_01) == "Rest of Africa")
    }

    @Test(
        "+1 outside the US, Canada and the three Rest of Latin America countries is Other",
        arguments: ["12425550100", "12465550100", "18685550100", "17215550100", "16715550100"])
    func otherNANP(number: String) {
        #expect(
            MarketTable.standard.market(country: CallingCodes.country(ofNumber: number)!, on: 2026_10_01) == "Other")
    }

    @Test("every market name the table uses is spelled as on Meta's cards")
    func names() {
        let names = MarketTable.standard.marketNames
        for expected in [
            "Rest of Central & Eastern Europe", "Rest of Asia Pacific", "Rest of Latin America", "Rest of Middle East",
            "Rest of Western Europe", "Rest of Africa", "North America", "United Arab Emirates", "Other",
        ] {
            #expect(names.contains(expected))
        }
    }

    @Test(
        "codes that are not two capital letters are looked up as written: unknown ones are Other, none is Unknown",
        arguments: [
            ("", "Unknown"), ("ZZ", "Other"), ("in", "Other"), ("IND", "Other"), ("I", "Other"),
            ("ÉS", "Other"), ("IN", "India"), ("AE", "United Arab Emirates"), ("ZW", "Rest of Africa"),
        ])
    func oddCodes(country: String, market: String) {
        #expect(MarketTable.standard.market(country: country, on: 2026_10_01) == market)
    }
}
