import Logging
import MeterStore
import ServiceLifecycle
import Synchronization

/// Commits concurrent webhook deliveries together: each request hands its body over and waits;
/// one loop takes everything pending and ingests it in a single transaction, then answers every
/// waiting request. While a transaction is being made durable, new deliveries queue up for the
/// next one, so the cost of an `fsync` is shared by all of them (group commit).
///
/// A request is answered only after the transaction holding its body has committed: durable before
/// acknowledged. When a transaction fails, one body must not take the others down with it: while
/// the database still answers, the group is split in halves and each half committed on its own,
/// down to single bodies, so only a body that cannot be committed even alone gets an error
/// (`Failure.unstorable`, answered 400). When the database does not answer, nothing is split and
/// every request gets its error (503, and Meta re-sends).
public final class GroupCommitter: Service, Sendable {
    public enum Failure: Error, Equatable {
        /// The server is shutting down and takes no new deliveries.
        case shuttingDown
        /// This body failed on its own while the database answered: retrying it will not help.
        case unstorable(String)
    }

    private struct Waiting {
        var body: ReceivedBody
        var continuation: CheckedContinuation<IngestOutcome, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var closed = false
    }

    private let store: any LedgerStore
    /// Advanced after every commit, for the dashboard's open pages.
    public let version: LedgerVersion
    private let metrics: ServerMetrics
    private let maxBatch: Int
    private let logger: Logger
    private let state = Mutex(State())
    private let memoryReturn = MemoryReturn()
    private let wakeUp: AsyncStream<Void>
    private let wakeUpContinuation: AsyncStream<Void>.Continuation

    public init(
        store: any LedgerStore, maxBatch: Int, logger: Logger, version: LedgerVersion = LedgerVersion(),
        metrics: ServerMetrics = ServerMetrics()
    ) {
        self.store = store
        self.version = version
        self.metrics = metrics
        self.maxBatch = maxBatch
        self.logger = logger
        (wakeUp, wakeUpContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Returns once the body and its effects are committed; throws if they could not be.
    public func submit(_ body: ReceivedBody) async throws -> IngestOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = state.withLock { state in
                if state.closed { return false }
                state.waiting.append(Waiting(body: body, continuation: continuation))
                return true
            }
            if accepted {
                wakeUpContinuation.yield()
            } else {
                continuation.resume(throwing: Failure.shuttingDown)
            }
        }
    }

    public func run() async throws {
        // On graceful shutdown the HTTP server stops first (it is after this service in the group)
        // and waits for its in-flight requests, which are waiting here; so keep committing until the
        // wake-up stream ends, then commit whatever is left and refuse anything newer.
        for await _ in wakeUp.cancelOnGracefulShutdown() {
            await commitPending()
        }
        state.withLock { $0.closed = true }
        await commitPending()
    }

    private func commitPending() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let count = min(maxBatch, state.waiting.count)
                let batch = Array(state.waiting.prefix(count))
                state.waiting.removeFirst(count)
                return batch
            }
            if batch.isEmpty { return }
            await commit(batch[...])
            memoryReturn.processed(bytes: batch.reduce(0) { $0 + $1.body.bytes.count })
        }
    }

    /// Commits a group; on failure, finds the bodies that cannot be committed (see the type's note).
    private func commit(_ group: ArraySlice<Waiting>) async {
        let started = ContinuousClock.now
        do {
            let outcome = try await store.ingest(group.map(\.body))
            version.advance()
            metrics.committed(
                bodies: group.count,
                outcome: IngestOutcomeCounts(
                    events: [
                        outcome.statusEvents, outcome.inboundMessages, outcome.systemErrors, outcome.otherChanges,
                        outcome.callEvents, outcome.echoMessages,
                    ],
                    accountsCreated: outcome.createdAccounts.count),
                duration: ContinuousClock.now - started)
            if !outcome.createdAccounts.isEmpty {
                logger.warning(
                    "accounts created by webhooks with time zone UTC and currency USD; set them with `wameter accounts add`",
                    metadata: ["accounts": .array(outcome.createdAccounts.map { .string($0) })])
            }
            for waiting in group { waiting.continuation.resume(returning: outcome) }
        } catch {
            metrics.commitFailed()
            guard !StoreFailure.isTransient(error), await databaseAnswers() else {
                logger.error(
                    "could not commit deliveries; they are not acknowledged and Meta will re-send them",
                    metadata: ["bodies": .stringConvertible(group.count), "error": .string(String(describing: error))])
                for waiting in group { waiting.continuation.resume(throwing: error) }
                return
            }
            guard group.count > 1 else {
                let reason = String(describing: error)
                logger.error(
                    "a delivery cannot be stored although the database answers; it is refused with 400",
                    metadata: ["error": .string(reason), "bytes": .stringConvertible(group.first!.body.bytes.count)])
                group.first!.continuation.resume(throwing: Failure.unstorable(reason))
                return
            }
            let middle = group.startIndex + group.count / 2
            await commit(group[..<middle])
            await commit(group[middle...])
        }
    }

    /// Whether the store answers a trivial query: tells a body that cannot be stored from a
    /// database that cannot store anything.
    private func databaseAnswers() async -> Bool {
        do {
            try await store.ping()
            return true
        } catch {
            return false
        }
    }
}
