import Foundation
import WhatsAppWebhook

/// What `rebuild` does with each archived body, on either backend: decode it again with today's
/// rules, in batches for the ledger writer, leaving out (and naming) a body the decoder now rejects
/// so that one old body cannot block a rebuild.
struct ArchiveReplay {
    /// Bodies per writer batch: large enough to amortise the writer's lookups, small enough to keep
    /// memory flat.
    static let batchSize = 2_000

    let decoder: WebhookDecoder
    /// The decoded bodies since the last `takeBatch`, joined per record as they are added.
    private var batch = LedgerBatch()
    /// Bodies in `batch`.
    private var batched = 0
    private var bodies = 0
    private var skipped: [Int64] = []

    init(decoder: WebhookDecoder) {
        self.decoder = decoder
    }

    var isBatchFull: Bool { batched >= Self.batchSize }
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
