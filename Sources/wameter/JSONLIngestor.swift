import Foundation
import MeterStore
import WhatsAppWebhook

/// Feeds a JSONL file of webhook bodies (one body per line, as Meta POSTs them) to the store.
///
/// Invalid lines are reported with their number and reason and skipped; a body is stored whole or
/// not at all. Decoding the next batch overlaps with the store committing the previous one.
struct JSONLIngestor {
    struct Problem: Equatable {
        var line: Int
        var reason: String
    }

    struct Summary {
        var lines = 0
        var outcome = IngestOutcome()
        var problems: [Problem] = []
        var seconds = 0.0
    }

    let store: any LedgerStore
    let source: String
    let onPremisesAccount: String
    var batchSize = 10_000
    /// Called about every two seconds with the running totals, when the run is long enough to need it.
    var progress: ((_ lines: Int, _ events: Int, _ seconds: Double) -> Void)?
    /// Called once per invalid line, as it is found.
    var onProblem: ((Problem) -> Void)?

    func run(_ handle: FileHandle, receivedAt: Int64) async throws -> Summary {
        let reader = LineReader(handle: handle)
        let decoder = WebhookDecoder()
        var summary = Summary()
        let started = Date()
        var lastProgress = started
        var batch: [ReceivedBody] = []
        batch.reserveCapacity(batchSize)
        var pending: Task<IngestOutcome, any Error>?
        var eventsQueued = 0

        func submit(_ bodies: [ReceivedBody]) async throws {
            if let pending { summary.outcome.add(try await pending.value) }
            let store = store
            pending = bodies.isEmpty ? nil : Task { try await store.ingest(bodies) }
        }

        while let line = try reader.next() {
            summary.lines = reader.lineNumber
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                let body = try ReceivedBody.decode(
                    line, decoder: decoder, receivedAt: receivedAt, source: source, onPremisesAccount: onPremisesAccount
                )
                eventsQueued += body.events.count
                batch.append(body)
            } catch {
                let problem = Problem(line: reader.lineNumber, reason: error.description)
                summary.problems.append(problem)
                onProblem?(problem)
            }
            if batch.count >= batchSize {
                try await submit(batch)
                batch.removeAll(keepingCapacity: true)
                let now = Date()
                if let progress, now.timeIntervalSince(lastProgress) >= 2 {
                    lastProgress = now
                    progress(summary.lines, eventsQueued, now.timeIntervalSince(started))
                }
            }
        }
        try await submit(batch)
        try await submit([])
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }
}
