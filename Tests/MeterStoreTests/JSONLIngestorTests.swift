import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

/// The file ingest pipeline in process: batches, bad lines, and what it stores.
@Suite("JSONL ingest")
struct JSONLIngestorTests {
    func file(_ lines: [String]) throws -> FileHandle {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wameter-\(UUID().uuidString).jsonl")
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
}
