import Synchronization

/// Keeps the raw archive in the order batches were submitted when more than one is written at a
/// time (`IngestPipeline` on PostgreSQL): a batch's archive insert starts only once the previous
/// batch's has ended, so the archive's ids follow the input even though the rest of the two
/// transactions overlap.
///
/// The store waits for its turn (`waitForPrevious`) before archiving and ends it (`end`) once its
/// archive insert is done, or when the ingest fails before that, so a failure never holds up the
/// next batch.
final class ArchiveTurn: Sendable {
    private enum State {
        case open(previous: ArchiveTurn?, waiting: [CheckedContinuation<Void, Never>])
        case ended
    }

    private let state: Mutex<State>

    /// The turn after `previous` (none: the first batch, which waits for nothing).
    init(after previous: ArchiveTurn?) {
        state = Mutex(.open(previous: previous, waiting: []))
    }

    /// Returns once the previous batch's archive insert has ended (at once for the first batch).
    func waitForPrevious() async {
        let previous: ArchiveTurn? = state.withLock {
            guard case .open(let previous, _) = $0 else { return nil }
            return previous
        }
        await previous?.ended()
    }

    /// Ends the turn: the next batch may archive. Later calls do nothing.
    func end() {
        let waiting: [CheckedContinuation<Void, Never>] = state.withLock {
            guard case .open(_, let waiting) = $0 else { return [] }
            // Dropping `previous` here keeps a long run from holding a chain of every turn.
            $0 = .ended
            return waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    private func ended() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = state.withLock {
                guard case .open(let previous, var waiting) = $0 else { return true }
                waiting.append(continuation)
                $0 = .open(previous: previous, waiting: waiting)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
