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
    private(set) var batch: [(events: [WebhookEvent], onPremisesAccount: String)] = []
    private var bodies = 0
    private var skipped: [Int64] = []

    init(decoder: WebhookDecoder) {
        self.decoder = decoder
    }

    var isBatchFull: Bool { batch.count >= Self.batchSize }
    /// Archived bodies read so far.
    var replayed: Int { bodies }

    mutating func add(id: Int64, body: Data, onPremisesAccount: String) {
        bodies += 1
        do {
            batch.append((try decoder.decode(body, onPremisesAccount: onPremisesAccount), onPremisesAccount))
        } catch {
            skipped.append(id)
        }
    }

    /// The decoded bodies since the last call, for the writer.
    mutating func takeBatch() -> [(events: [WebhookEvent], onPremisesAccount: String)] {
        defer { batch.removeAll(keepingCapacity: true) }
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
