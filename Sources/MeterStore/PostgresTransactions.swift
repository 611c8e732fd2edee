import Logging
import PostgresNIO
import Synchronization

/// Runs the store's transactions on a PostgresNIO client: bounded in time, and retried when
/// PostgreSQL aborts one to resolve a conflict between instances.
struct PostgresTransactions: Sendable {
    enum Isolation: String {
        /// Each statement sees what is committed when it starts; writers lock what they change.
        case readCommitted = "READ COMMITTED"
        /// One snapshot for the whole transaction: a report's queries all see the same ledger.
        case repeatableReadOnly = "REPEATABLE READ, READ ONLY"
    }

    let client: PostgresClient
    let logger: Logger
    let timeout: Duration

    /// How often a transaction aborted by a deadlock or a serialization failure is tried again.
    /// Both are PostgreSQL resolving a conflict between concurrent writers; the retry sees the
    /// other side's committed result.
    static let attempts = 5

    /// How long a transaction may take.
    enum Deadline {
        /// `operation_timeout`: what a webhook delivery or a read may wait before it fails (503).
        case operation
        /// None: a job over the whole ledger (a migration that replays the archive, `rebuild`) takes
        /// as long as the ledger is large, and is run by an operator, not by a delivery waiting for
        /// an answer.
        case wholeLedger
    }

    /// Runs `body` in a transaction on a leased connection, committing when it returns.
    func run<Result: Sendable>(
        _ isolation: Isolation = .readCommitted, deadline: Deadline = .operation,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                switch deadline {
                case .operation: return try await withTimeout { try await once(isolation, body) }
                case .wholeLedger: return try await once(isolation, body)
                }
            } catch let error as PSQLError where attempt < Self.attempts && Self.isRetryable(error) {
                logger.debug(
                    "transaction aborted by a conflict; retrying",
                    metadata: ["attempt": .stringConvertible(attempt), "sqlstate": .string(Self.sqlState(error) ?? "")])
                attempt += 1
            } catch let error as PSQLError {
                // PostgresNIO's errors print a generic text by design; say what the server said.
                throw PostgresStoreError.failed(PostgresLedgerStore.describe(error))
            }
        }
    }

    private func once<Result: Sendable>(
        _ isolation: Isolation, _ body: @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withConnection { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)"), logger: logger)
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                // The connection goes back to the pool: it must not stay inside the failed transaction.
                // (A closed one has no transaction left, and a query written to it would never end.)
                if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: logger) }
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return result
        }
    }

    /// Fails with `PostgresStoreError.timedOut` when the database does not answer in time, so a
    /// webhook gets its 503 promptly instead of waiting for the pool's own, much longer, give-up.
    ///
    /// The caller is answered at the deadline even if the operation has not returned: a PostgresNIO
    /// query written to a connection the server has just closed may never complete, and waiting for
    /// it would stall every later delivery. Such an operation is cancelled and left to end on its
    /// own; its transaction never commits, and the pool replaces the closed connection.
    private func withTimeout<Result: Sendable>(
        _ operation: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let race = DeadlineRace<Result>()
        let timeout = timeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(continuation)
                let work = Task {
                    do {
                        race.finish(.success(try await operation()))
                    } catch {
                        race.finish(.failure(error))
                    }
                }
                let timer = Task {
                    try? await Task.sleep(for: timeout)
                    if race.finish(.failure(PostgresStoreError.timedOut(timeout))) { work.cancel() }
                }
                race.whenFinished { timer.cancel() }
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    static func sqlState(_ error: PSQLError) -> String? { error.serverInfo?[.sqlState] }

    /// 25P02 in_failed_sql_transaction: a statement after one that failed in the same transaction.
    static func isAbortedTransaction(_ error: any Error) -> Bool {
        (error as? PSQLError).flatMap(sqlState) == "25P02"
    }

    /// 40001 serialization_failure, 40P01 deadlock_detected.
    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = sqlState(error) else { return false }
        return state == "40001" || state == "40P01"
    }
}

public enum PostgresStoreError: Error, CustomStringConvertible {
    case timedOut(Duration)
    /// A database error, as the server or the connection described it.
    case failed(String)

    public var description: String {
        switch self {
        case .timedOut(let limit): "PostgreSQL did not answer within \(limit) (operation_timeout)"
        case .failed(let reason): "PostgreSQL: \(reason)"
        }
    }
}

/// The first of an operation's result and its deadline to finish answers the caller; the other is
/// ignored.
private final class DeadlineRace<Result: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result, any Error>?
        var early: Swift.Result<Result, any Error>?
        var done = false
        var onFinish: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<Result, any Error>) {
        let early = state.withLock { state -> Swift.Result<Result, any Error>? in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        // Cancelled before it started.
        if let early { continuation.resume(with: early) }
    }

    func whenFinished(_ action: @escaping @Sendable () -> Void) {
        let finished = state.withLock { state in
            if !state.done { state.onFinish = action }
            return state.done
        }
        if finished { action() }
    }

    /// Answers the caller unless it already has been; true when this call did.
    @discardableResult
    func finish(_ result: Swift.Result<Result, any Error>) -> Bool {
        typealias Taken = (
            won: Bool, continuation: CheckedContinuation<Result, any Error>?, onFinish: (@Sendable () -> Void)?
        )
        let taken = state.withLock { state -> Taken in
            guard !state.done else { return (false, nil, nil) }
            state.done = true
            let taken: Taken = (true, state.continuation, state.onFinish)
            // Finished before it started: `start` answers with this.
            if state.continuation == nil { state.early = result }
            state.continuation = nil
            state.onFinish = nil
            return taken
        }
        taken.continuation?.resume(with: result)
        taken.onFinish?()
        return taken.won
    }
}
