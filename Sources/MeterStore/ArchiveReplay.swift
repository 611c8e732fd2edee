import Foundation
import WhatsAppWebhook

/// What `rebuild` does with each archived body, on either backend: decode it again with today's
/// rules, in batches for the ledger writer, leaving out (and naming) a body the decoder now rejects
/// so that one old body cannot block a rebuild.
struct ArchiveReplay {
    /// How much a replay holds before handing it to the writer.
    struct Limits: Sendable {
        /// Bodies per writer batch: large enough to amortise the writer's lookups, small enough to
        /// keep memory flat.
        var batchSize = 2_000
        /// Counter changes held before they are written. An ingest writes its counters once per
        /// transaction, but a rebuild is one transaction over the whole archive, and its changes
        /// (one per counter, metric and half-hour) grow with the archive's span: 333 MB for a
        /// 1M-body archive when they were written only at the end, 138 MB with this bound.
        var maxPendingCounterChanges = 100_000

        static let standard = Limits()
    }

    let limits: Limits
    let decoder: WebhookDecoder
    /// The decoded bodies since the last `takeBatch`, joined per record as they are added.
    private var batch = LedgerBatch()
    /// Bodies in `batch`.
    private var batched = 0
    private var bodies = 0
    private var skipped: [Int64] = []

    init(decoder: WebhookDecoder, limits: Limits = .standard) {
        self.decoder = decoder
        self.limits = limits
    }

    var isBatchFull: Bool { batched >= limits.batchSize }
    /// Whether bodies were added since the last `takeBatch`.
    var hasBatch: Bool { batched > 0 }
    /// Archived bodies read so far.
    var replayed: Int { bodies }

    mutating func add(id: Int64, body: Data, onPremisesAccount: String) {
        bodies += 1
        do {
            batch.add(
                try decoder.decode(body, onPremisesAccount: onPremisesAccount), onPremisesAccount: onPremisesAccount)
            batched += 1
        } catch {
            skipped.append(id)
        }
    }

    /// The bodies decoded since the last call, joined, for the writer.
    mutating func takeBatch() -> LedgerBatch {
        defer {
            batch = LedgerBatch()
            batched = 0
        }
        return batch
    }

    /// The writer's outcome, with every archived body counted and the skipped ones named.
    func outcome(_ ledger: IngestOutcome) -> IngestOutcome {
        var outcome = ledger
        outcome.bodies = bodies
        outcome.skippedArchivedBodies = skipped
        return outcome
    }
}
