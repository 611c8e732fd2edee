import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

/// The file ingest pipeline in process: batches, bad lines, and what it stores.
@Suite("JSONL ingest", .closesStores)
struct JSONLIngestorTests {
    func file(_ lines: [String]) throws -> FileHandle {
        let url = TestFiles.path("bodies", extension: "jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
        return try FileHandle(forReadingFrom: url)
    }

    @Test("bad lines are named by number and reason and skipped; good ones are stored whole, across batches")
    func problemsAndBatches() async throws {
        let store = try SQLiteLedgerStore()
        let t = utc("2026-02-03T10:00:00Z")
        let good = (0..<5).map {
            String(
                decoding: LedgerScenario.status(
                    "m\($0)", "delivered", at: t + Int64($0), pricing: LedgerScenario.pmp("marketing")), as: UTF8.self)
        }
        let lines = [good[0], "not json", good[1], "", good[2], "[1, 2]", good[3], good[4]]
        var seen: [JSONLIngestor.Problem] = []
        var ingestor = JSONLIngestor(store: store, source: "file:test.jsonl", onPremisesAccount: "onprem")
        ingestor.batchSize = 2
        ingestor.onProblem = { seen.append($0) }
        let summary = try await ingestor.run(try file(lines), receivedAt: t)
        #expect(summary.lines == 8)
        #expect(summary.problems.map(\.line) == [2, 6])
        #expect(seen == summary.problems)
        #expect(summary.outcome.bodies == 5)
        #expect(summary.outcome.changedRecords == 5)
        #expect(try await store.archivedBodyCount() == 5)
        #expect(try await LedgerScenario.report(store, "A", "2026-02").messages.delivered == 5)
        // A second run stores the bodies again (the archive is a record of arrivals) and counts nothing twice.
        let again = try await ingestor.run(try file(lines), receivedAt: t)
        #expect(again.outcome.changedRecords == 0)
        #expect(try await store.archivedBodyCount() == 10)
        #expect(try await LedgerScenario.report(store, "A", "2026-02").messages.delivered == 5)
    }

    @Test(
        "a message's statuses split over batches (joined while earlier batches are written, two at a time on PostgreSQL) give one batch's ledger; the archive keeps the file's order",
        arguments: StoreBackend.all
    )
    func statusesAcrossBatches(backend: StoreBackend) async throws {
        let t = utc("2026-03-10T08:00:00Z")
        var lines: [String] = []
        for step in 0..<3 {
            for message in 0..<4 {
                let status = ["sent", "delivered", "read"][step]
                lines.append(
                    String(
                        decoding: LedgerScenario.status(
                            "m\(message)", status, at: t + Int64(step * 60 + message),
                            to: "4477009\(message)", pricing: LedgerScenario.pmp(message == 3 ? "utility" : "marketing")
                        ),
                        as: UTF8.self))
            }
        }
        var reports: [Report] = []
        for batchSize in [1, 2, 5, 100] {
            let store = try await backend.makeStore()
            var ingestor = JSONLIngestor(store: store, source: "file:statuses.jsonl", onPremisesAccount: "onprem")
            ingestor.batchSize = batchSize
            #expect(store.ingestsInFlight == (backend == .postgres ? 2 : 1))
            let summary = try await ingestor.run(try file(lines), receivedAt: t)
            #expect(summary.outcome.bodies == 12)
            #expect(summary.outcome.statusEvents == 12)
            let archived = try await store.archivedBodies(after: 0, limit: 100)
            #expect(archived.map { String(decoding: $0.bytes, as: UTF8.self) } == lines, "batch size \(batchSize)")
            reports.append(try await LedgerScenario.report(store, "A", "2026-03"))
        }
        #expect(reports[0].messages.delivered == 4)
        #expect(reports[0].messages.read == 4)
        #expect(reports.allSatisfy { $0 == reports[0] })
    }
}
