import Foundation
import TestSupport
import Testing

/// `wameter markets lookup`, `rates import` of every layout and `rates list`, through the executable.
@Suite("wameter markets and rates")
struct RatesAndMarketsCommandTests {
    static let metaCard = Fixtures.url("meta-rate-card-usd-2026-10-01.csv")

    @Test(
        "markets lookup prints the country and the market in force on --date",
        arguments: [
            ("+1 809 555 0100", "2026-10-01", "DO", "Rest of Latin America"),
            ("+212 612345678", "2026-09-30", "MA", "Rest of Africa"),
            ("+212 612345678", "2026-10-01", "MA", "Morocco"),
            ("77011234567", "2026-10-01", "KZ", "Kazakhstan"),
            ("+1 242 555 0100", "2026-10-01", "BS", "Other"),
            // As reports name it: ZZ.
            ("+999 123", "2026-10-01", "ZZ (a calling code in no table)", "Other"),
        ])
    func lookup(number: String, date: String, country: String, market: String) throws {
        let database = try Package.temporaryDirectory().appendingPathComponent("w.sqlite")
        let result = try Package.run(["markets", "lookup", number, "--date", date], database: database)
        #expect(result.status == 0)
        #expect(result.stdout == "country \(country)\nmarket  \(market)\ndate    \(date)\n")
    }

    @Test("markets lookup rejects what is not a number")
    func lookupErrors() throws {
        let database = try Package.temporaryDirectory().appendingPathComponent("w.sqlite")
        let result = try Package.run(["markets", "lookup", "user.abc"], database: database)
        #expect(result.status != 0)
        #expect(result.stderr.contains("not a phone number"))
        let badDate = try Package.run(
            ["markets", "lookup", "919876543210", "--date", "2026-13-01"], database: database)
        #expect(badDate.stderr.contains("--date must be YYYY-MM-DD"))
    }

    @Test(
        "rates list shows the built-in history; an imported Meta card and tiers replace the built-in card of their day")
    func importAndList() throws {
        let directory = try Package.temporaryDirectory()
        let database = directory.appendingPathComponent("w.sqlite")
        let before = try Package.run(["rates", "list", "--date", "2026-02-01"], database: database)
        #expect(before.stdout.contains("USD 2026-01-01 whole, built-in (transcription)"))
        #expect(before.stdout.contains("India"))
        let history = try Package.run(["rates", "list"], database: database)
        #expect(
            history.stdout.contains(
                "USD       2026-04-01  whole  built-in  messages            105    73           Meta copy"))
        #expect(history.stdout.contains("uncertain: Saudi Arabia/marketing"))
        #expect(history.stdout.contains("USD       2025-08-01  whole  built-in  calls (per minute)  28"))

        let imported = try Package.run(["rates", "import", Self.metaCard.path], database: database)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("imported 26 rate(s) from"))
        #expect(imported.stdout.contains("USD 2026-10-01 (whole card, replaces the built-in card)"))
        #expect(imported.stdout.contains("Meta's published rate card"))
        #expect(imported.stdout.contains("\"Meta Business Agent\" ignored"))

        let tiers = directory.appendingPathComponent("tiers.csv")
        try """
        effective_from,currency,market,category,volume_from,volume_to,rate
        2026-10-01,USD,India,utility,1,100000,0.0014
        2026-10-01,USD,India,utility,100001,,0.0012

        """.write(to: tiers, atomically: true, encoding: .utf8)
        #expect(try Package.run(["rates", "import", tiers.path], database: database).status == 0)

        let listed = try Package.run(["rates", "list", "--date", "2026-10-05"], database: database)
        #expect(listed.stdout.contains("USD 2026-10-01 whole, imported over built-in"))  // built-in tiers kept
        #expect(listed.stdout.contains("Morocco"))
        #expect(listed.stdout.contains("100001:MAX"))
        let usd = try Package.run(["rates", "list", "--date", "2026-10-05", "--currency", "USD"], database: database)
        #expect(!usd.stdout.contains("Kazakhstan"))  // on the built-in card, not on the imported one
        let september = try Package.run(["rates", "list", "--date", "2026-09-30"], database: database)
        #expect(september.stdout.contains("USD 2026-07-01 patch, built-in (transcription)"))

        let removed = try Package.run(
            ["rates", "remove", "--currency", "usd", "--effective", "2026-10-01"], database: database)
        #expect(removed.stdout.contains("the built-in card of that day prices again"), "\(removed.stderr)")
        let again = try Package.run(
            ["rates", "remove", "--currency", "USD", "--effective", "2026-10-01"], database: database)
        #expect(again.status == 1)
        #expect(again.stderr.contains("no imported USD card effective 2026-10-01 (the built-in one cannot be removed"))
        #expect(
            try Package.run(["rates", "list", "--date", "2026-10-05", "--currency", "USD"], database: database).stdout
                .contains("Kazakhstan"))
    }

    @Test("a bad Meta card is rejected whole, with file:line messages")
    func badCard() throws {
        let directory = try Package.temporaryDirectory()
        let card = directory.appendingPathComponent("card.csv")
        try "Market,Currency,Marketing\nIndia,USD,0.0118\nAtlantis,USD,0.01\n".write(
            to: card, atomically: true, encoding: .utf8)
        let result = try Package.run(
            ["rates", "import", card.path, "--effective", "2026-01-01"],
            database: directory.appendingPathComponent("w.sqlite"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("card.csv:3: market \"Atlantis\""))
        #expect(result.stderr.contains("nothing imported"))
    }

    @Test("rates coverage refuses a backwards or a very long range, and an unknown account")
    func coverageMistakes() throws {
        let database = try Package.temporaryDirectory().appendingPathComponent("w.sqlite")
        let backwards = try Package.run(
            ["rates", "coverage", "--from", "2026-05", "--to", "2026-01"], database: database)
        #expect(backwards.status == 64)
        #expect(backwards.stderr.contains("--to 2026-01 is before --from 2026-05"))
        let long = try Package.run(["rates", "coverage", "--from", "2026-01", "--to", "2062-01"], database: database)
        #expect(long.status == 64)
        #expect(long.stderr.contains("--from 2026-01 to --to 2062-01 is 433 months; at most 120"))
        let noDatabase = try Package.run(["rates", "coverage", "--from", "2026-01"], database: database)
        #expect(noDatabase.status == 1)
        #expect(noDatabase.stderr.hasPrefix("Error: no database at"))
        #expect(
            try Package.run(["accounts", "add", "1", "--timezone", "UTC", "--currency", "USD"], database: database)
                .status == 0)
        let unknown = try Package.run(["rates", "coverage", "--from", "2026-01", "--account", "9"], database: database)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown account 9"))
        let empty = try Package.run(["rates", "coverage", "--from", "2026-01"], database: database)
        #expect(empty.stdout == "every charged unit from 2026-01 to 2026-01 has a rate (1 account-month(s))\n")
    }

    @Test("an uncertain built-in figure is marked ?, and a patch's rate for the same key is not")
    func uncertainMarks() throws {
        let directory = try Package.temporaryDirectory()
        let database = directory.appendingPathComponent("w.sqlite")
        let october = try Package.run(
            ["rates", "list", "--date", "2026-10-05", "--currency", "USD"], database: database)
        let saudi = october.stdout.split(separator: "\n").first {
            $0.contains("Saudi Arabia") && $0.contains("marketing")
        }
        #expect(saudi?.hasSuffix("0.0576 ?") == true, "\(saudi ?? "")")
        #expect(october.stdout.contains("? the sources disagree slightly"))
        let patch = directory.appendingPathComponent("patch.csv")
        try "effective_from,currency,market,category,rate\n2026-11-01,USD,Saudi Arabia,marketing,0.0575\n".write(
            to: patch, atomically: true, encoding: .utf8)
        #expect(try Package.run(["rates", "import", patch.path, "--patch"], database: database).status == 0)
        let november = try Package.run(
            ["rates", "list", "--date", "2026-11-05", "--currency", "USD"], database: database)
        let lines = november.stdout.split(separator: "\n")
        #expect(lines.first { $0.contains("Saudi Arabia") && $0.contains("marketing") }?.hasSuffix("0.0575") == true)
        #expect(lines.first { $0.contains("United Arab Emirates") && $0.contains("marketing") }?.hasSuffix("?") == true)
    }
}
