import Foundation
import WhatsAppWebhook

/// Feeds a JSONL file of webhook bodies (one body per line, as Meta POSTs them) to the store.
///
/// Invalid lines are reported with their number and reason and skipped; a body is stored whole or
/// not at all. Decoding the next batch, and joining its events per record (`PreparedBodies`),
/// overlaps with the store committing the previous ones (`IngestPipeline`): the store's writer then
/// does only what needs the database.
public struct JSONLIngestor {
    public struct Problem: Equatable, Sendable {
        public var line: Int
        public var reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    public struct Summary: Sendable {
        public var lines = 0
        public var outcome = IngestOutcome()
        public var problems: [Problem] = []
        public var seconds = 0.0
    }

    public let store: any LedgerStore
    /// Recorded with each archived body (`ReceivedBody.source`), e.g. the file name.
    public let source: String
    /// The account On-Premises bodies (which name none) are stored under.
    public let onPremisesAccount: String
    public var batchSize = 10_000
    /// Called about every two seconds with the running totals, when the run is long enough to need it.
    public var progress: ((Progress) -> Void)?

    /// How far a run is.
    public struct Progress: Sendable {
        public var lines: Int
        public var events: Int
        /// Bytes of the input read so far (compare with the file's size for a percentage).
        public var bytes: Int
        public var seconds: Double
    }
    /// Called once per invalid line, as it is found.
    public var onProblem: ((Problem) -> Void)?

    public init(store: any LedgerStore, source: String, onPremisesAccount: String) {
        self.store = store
        self.source = source
        self.onPremisesAccount = onPremisesAccount
    }

    public func run(_ handle: FileHandle, receivedAt: Int64) async throws -> Summary {
        let reader = LineReader(handle: handle)
        let decoder = WebhookDecoder()
        var summary = Summary()
        let started = Date()
        var lastProgress = started
        var batch = PreparedBodies()
        var pipeline = IngestPipeline(store: store)
        var eventsQueued = 0

        while let line = try reader.next() {
            summary.lines = reader.lineNumber
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                let body = try ReceivedBody.decode(
                    line, decoder: decoder, receivedAt: receivedAt, source: source, onPremisesAccount: onPremisesAccount
                )
                // As the summary counts them: a change's phone number metadata is not an event of its own.
                for event in body.events {
                    if case .phoneNumber = event { continue }
                    eventsQueued += 1
                }
                batch.append(body)
            } catch {
                let problem = Problem(line: reader.lineNumber, reason: error.description)
                summary.problems.append(problem)
                onProblem?(problem)
            }
            if batch.count >= batchSize {
                try await pipeline.submit(batch)
                batch = PreparedBodies()
                let now = Date()
                if let progress, now.timeIntervalSince(lastProgress) >= 2 {
                    lastProgress = now
                    progress(
                        Progress(
                            lines: summary.lines, events: eventsQueued, bytes: reader.bytesConsumed,
                            seconds: now.timeIntervalSince(started)))
                }
            }
        }
        try await pipeline.submit(batch)
        summary.outcome = try await pipeline.finish()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }
}
