import Foundation
import MeterCore
import TestSupport
import Testing

/// `wameter budgets` as a user runs it.
@Suite("wameter budgets")
struct BudgetsCommandTests {
    @Test("set, list (targets by host only), replace, remove; mistakes named")
    func lifecycle() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Package.binary.path), "build wameter first")
        let database = try Package.temporaryDirectory().appendingPathComponent("ledger.sqlite")
        for (id, currency) in [("A", "USD"), ("B", "USD"), ("C", "EUR")] {
            let add = try Package.run(
                ["accounts", "add", id, "--timezone", "UTC", "--currency", currency, "--portfolio", "P"],
                database: database)
            #expect(add.status == 0, "\(add.stderr)")
        }
        let set = try Package.run(
            [
                "budgets", "set", "--account", "A", "--monthly", "1500.50", "--alert-at", "80,50",
                "--notify", "https://ops.example.com/hook", "--notify-slack",
                "https://hooks.slack.com/services/T/B/SECRET",
            ], database: database)
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("budget for account A: 1500.5 USD a month, alerts at 50%, 80% to 2 URL(s)"))
        // The portfolio bills in two currencies: which one must be said.
        let ambiguous = try Package.run(["budgets", "set", "--portfolio", "P", "--monthly", "100"], database: database)
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.contains("bill in EUR and USD: give --currency"))
        #expect(
            try Package.run(
                ["budgets", "set", "--portfolio", "P", "--monthly", "100", "--currency", "usd"], database: database
            ).status == 0)
        let list = try Package.run(["budgets", "list"], database: database)
        #expect(list.status == 0)
        #expect(list.stdout.contains("account    A   1500.5   USD       50%,80%"))
        #expect(list.stdout.contains("ops.example.com slack:hooks.slack.com"))
        #expect(!list.stdout.contains("SECRET"))
        #expect(list.stdout.contains("portfolio  P   100      USD       50%,80%,100%"))
        let json = try Package.run(["budgets", "list", "--format", "json"], database: database)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: String]])
        #expect(rows.map { $0["id"] } == ["A", "P"])
        #expect(rows[0]["spend"] == "0" && rows[0]["used"] == "0%")

        for (arguments, words) in [
            (["budgets", "set", "--account", "A", "--monthly=-5"], "--monthly must be a positive amount"),
            (["budgets", "set", "--account", "A", "--monthly", "5", "--alert-at", "0"], "percentages from 1 to 1000"),
            (["budgets", "set", "--account", "A", "--monthly", "5", "--notify", "ftp://x"], "not an http(s) URL"),
            (["budgets", "set", "--account", "A", "--portfolio", "P", "--monthly", "5"], "exactly one of"),
        ] {
            let refused = try Package.run(arguments, database: database)
            #expect(refused.status == 64, "\(arguments)")
            #expect(refused.stderr.contains(words), "\(refused.stderr)")
        }
        let unknown = try Package.run(["budgets", "set", "--account", "Z", "--monthly", "5"], database: database)
        #expect(unknown.status == 1)
        #expect(try Package.run(["budgets", "remove", "--portfolio", "P"], database: database).status == 0)
        let again = try Package.run(["budgets", "remove", "--portfolio", "P"], database: database)
        #expect(again.status == 1)
        #expect(again.stderr.contains("no budget for portfolio P"))
    }
}
