import Foundation
import MeterCore
import TestSupport
import Testing
import WhatsAppWebhook

/// `wameter reconcile` as a user runs it, with saved Graph responses: exit 0 when Meta agrees, 1
/// when something differs (so it can run from cron), 2 when the comparison cannot run.
@Suite("wameter reconcile")
struct ReconcileCommandTests {
    static func delivery(_ id: String, at time: Int64) -> String {
        let body = LedgerScenario.builder.body([
            (
                "A",
                [
                    .init(
                        phoneNumberId: "106540352242901", displayPhoneNumber: "+1 555-000-1111",
                        statuses: [
                            .init(
                                messageId: id, status: "delivered", timestamp: time, recipientId: "919876543210",
                                pricing: LedgerScenario.pmp("marketing"))
                        ])
                ]
            )
        ])
        return String(decoding: body, as: UTF8.self)
    }

    /// Meta's pricing_analytics for 2025-11-03 (UTC): `volume` Indian marketing messages, no cost.
    static func response(volume: Int) -> String {
        let start = utc("2025-11-03T00:00:00Z")
        return #"""
            {"pricing_analytics":{"data":[{"data_points":[{"start":\#(start),"end":\#(start + 86_400),
             "phone_number":"15550001111","country":"IN","pricing_type":"REGULAR","pricing_category":"MARKETING",
             "volume":\#(volume)}]}]},"id":"A"}
            """#
    }

    @Test("agree → 0, drift → 1 with the cause, unreadable file → 2, nothing to compare with → usage error")
    func exitStatuses() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Package.binary.path), "build wameter first")
        let directory = try Package.temporaryDirectory()
        let database = directory.appendingPathComponent("ledger.sqlite")
        let add = try Package.run(
            ["accounts", "add", "A", "--timezone", "UTC", "--currency", "USD"], database: database)
        #expect(add.status == 0, "\(add.stderr)")
        let bodies = directory.appendingPathComponent("bodies.jsonl")
        let time = utc("2025-11-03T09:00:00Z")
        try Data([Self.delivery("m1", at: time), Self.delivery("m2", at: time + 60)].joined(separator: "\n").utf8)
            .write(to: bodies)
        #expect(try Package.run(["ingest", bodies.path, "--quiet"], database: database).status == 0)

        let same = directory.appendingPathComponent("same.json")
        try Data(Self.response(volume: 2).utf8).write(to: same)
        let agree = try Package.run(
            ["reconcile", "--account", "A", "--month", "2025-11", "--from-file", same.path], database: database)
        #expect(agree.status == 0, "\(agree.stderr)")
        #expect(agree.stdout.contains("No differences"))
        #expect(agree.stdout.contains("no call_analytics in the files: not compared"))

        let more = directory.appendingPathComponent("more.json")
        try Data(Self.response(volume: 5).utf8).write(to: more)
        let drift = try Package.run(
            ["reconcile", "--account", "A", "--month", "2025-11", "--from-file", more.path], database: database)
        #expect(drift.status == 1)
        #expect(drift.stdout.contains("1 cell differs"))
        #expect(drift.stdout.contains("webhooks_missing: wameter has 2 of Meta's 5 messages on 2025-11-03"))
        let json = try Package.run(
            ["reconcile", "--account", "A", "--month", "2025-11", "--from-file", more.path, "--format", "json"],
            database: database)
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["agrees"] as? Bool == false)
        let differences = try #require(object["differences"] as? [[String: Any]])
        #expect(differences.first?["unit_gap"] as? Int == 3)
        #expect(differences.first?["cause"] as? String == "webhooks_missing")
        let csv = try Package.run(
            ["reconcile", "--account", "A", "--month", "2025-11", "--from-file", more.path, "--format", "csv"],
            database: database)
        #expect(csv.stdout.hasPrefix("field,day,phone_number,country,category,type,meta_units,wameter_units,unit_gap"))
        #expect(csv.stdout.contains("pricing_analytics,2025-11-03,15550001111,IN,MARKETING,REGULAR,5,2,3,"))

        let broken = directory.appendingPathComponent("broken.json")
        try Data("{\"pricing_analytics\":".utf8).write(to: broken)
        let failed = try Package.run(
            ["reconcile", "--account", "A", "--month", "2025-11", "--from-file", broken.path], database: database)
        #expect(failed.status == 2)
        #expect(failed.stderr.contains("Error: \(broken.path): not JSON"))
        let unknown = try Package.run(
            ["reconcile", "--account", "B", "--month", "2025-11", "--from-file", same.path], database: database)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no account B"))

        let noSource = try Package.run(
            ["reconcile", "--account", "A", "--month", "2025-11"], database: database,
            environment: ["WAMETER_GRAPH_TOKEN": ""])
        #expect(noSource.status == 64)
        #expect(noSource.stderr.contains("give --graph-token (or WAMETER_GRAPH_TOKEN), or --from-file"))
        let badTolerance = try Package.run(
            ["reconcile", "--account", "A", "--month", "2025-11", "--from-file", same.path, "--tolerance", "lots"],
            database: database)
        #expect(badTolerance.status == 64)
        let badURL = try Package.run(
            [
                "reconcile", "--account", "A", "--month", "2025-11", "--graph-token", "t", "--graph-url",
                "graph.facebook.com",
            ],
            database: database)
        #expect(badURL.status == 64)
        #expect(badURL.stderr.contains("--graph-url: graph.facebook.com is not an http(s) URL"))
    }
}
