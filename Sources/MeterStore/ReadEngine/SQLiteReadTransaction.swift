import Foundation
import GRDB
import Synchronization

/// One SQLite read transaction that async code can issue several reads into, so that every read of
/// a report sees the same ledger (as PostgreSQL's repeatable-read transaction does).
///
/// GRDB hands out a connection only inside a synchronous closure, and its snapshot pool (which
/// would allow async reads of one snapshot) is not built on Linux. So a closure run by
/// `asyncRead`, inside GRDB's read transaction, serves the reads: each is queued here and run on that
/// connection's thread in turn, and its result resumes the waiting task. The thread is held until
/// `finish`, which `withTransaction` always calls.
final class SQLiteReadTransaction: Sendable {
    private typealias Job = @Sendable (Result<Database, any Error>) -> Void

    private let jobs = Mutex<[Job]>([])
    /// Signalled once per queued job and once by `finish`.
    private let ready = DispatchSemaphore(value: 0)

    private init() {}

    /// Runs `body` with reads into one transaction of `reader`.
    static func withTransaction<T>(
        on reader: any DatabaseReader, _ body: (SQLiteReadTransaction) async throws -> T
    ) async throws -> T {
        let transaction = SQLiteReadTransaction()
        reader.asyncRead { database in transaction.serve(database) }
        defer { transaction.finish() }
        return try await body(transaction)
    }

    /// Runs `work` on the transaction's connection.
    func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job: Job = { database in continuation.resume(with: Result { try work(database.get()) }) }
            jobs.withLock { $0.append(job) }
            ready.signal()
        }
    }

    /// On the connection's thread, inside the transaction: runs queued reads until `finish`.
    private func serve(_ database: Result<Database, any Error>) {
        while true {
            ready.wait()
            let job = jobs.withLock { queue -> Job? in queue.isEmpty ? nil : queue.removeFirst() }
            guard let job else { return }
            job(database)
        }
    }

    /// Wakes the server with no job queued: every read has been answered, so it returns.
    private func finish() {
        ready.signal()
    }
}
