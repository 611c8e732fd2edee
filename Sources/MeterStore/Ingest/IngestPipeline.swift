/// Writes a bulk load's batches (`wameter ingest`, `wameter migrate`) through `LedgerStore.ingest`,
/// with up to `ingestsInFlight` of the store's transactions running while the caller prepares the
/// next batch.
///
/// `submit` returns as soon as the batch is handed to the store (after waiting, when the store has
/// as many in flight as it takes), so reading and preparing the next batch overlaps the writes.
/// The archive keeps the order of submission (`ArchiveTurn`). When a batch fails, the batches still
/// in flight are awaited before the error is thrown, so nothing of the run is written after the
/// caller hears of the failure; batches submitted before the failed one may be stored, as with one
/// batch at a time, and re-running the input is safe (the merge is idempotent).
public struct IngestPipeline {
    public let store: any LedgerStore
    /// The stores' outcomes of the batches that finished, added up.
    public private(set) var outcome = IngestOutcome()
    private var inFlight: [Task<IngestOutcome, any Error>] = []
    private var lastTurn: ArchiveTurn?

    public init(store: any LedgerStore) {
        self.store = store
    }

    /// Hands the batch to the store, once fewer than `store.ingestsInFlight` batches are being
    /// written. Throws the failure of an earlier batch.
    public mutating func submit(_ bodies: PreparedBodies) async throws {
        guard !bodies.isEmpty else { return }
        while inFlight.count >= max(store.ingestsInFlight, 1) {
            try await awaitOldest()
        }
        var bodies = bodies
        let turn = ArchiveTurn(after: lastTurn)
        bodies.archiveTurn = turn
        lastTurn = turn
        let store = store
        inFlight.append(Task { try await store.ingest(bodies) })
    }

    /// Waits for every batch in flight; returns the run's outcome or throws the first failure.
    public mutating func finish() async throws -> IngestOutcome {
        while !inFlight.isEmpty { try await awaitOldest() }
        return outcome
    }

    private mutating func awaitOldest() async throws {
        do {
            outcome.add(try await inFlight.removeFirst().value)
        } catch {
            // The rest may still commit: let them end before the caller reports the failure.
            for task in inFlight { _ = try? await task.value }
            inFlight = []
            throw error
        }
    }
}
