import Synchronization
import Testing

@testable import MeterStore

/// The order in which concurrently written batches reach the archive.
@Suite("Archive turns")
struct ArchiveTurnTests {
    @Test("the first batch archives at once; the next waits until the previous batch's turn has ended")
    func waitsForThePrevious() async throws {
        let first = ArchiveTurn(after: nil)
        let second = ArchiveTurn(after: first)
        await first.waitForPrevious()  // nothing before it
        let passed = Log()
        let waiting = Task {
            await second.waitForPrevious()
            passed.append(2)
        }
        // Long enough for the task to run if it did not wait; a slow machine could only make the
        // check pass, never fail.
        try await Task.sleep(for: .milliseconds(100))
        #expect(passed.entries.isEmpty, "the second batch archived before the first had")
        first.end()
        await waiting.value
        #expect(passed.entries == [2])
    }

    @Test(
        "ending a turn releases every batch waiting on it, once; later ones pass at once; ending it again does nothing")
    func endedTurns() async throws {
        let first = ArchiveTurn(after: nil)
        let released = Log()
        let waiters = (0..<3).map { n in
            Task {
                await ArchiveTurn(after: first).waitForPrevious()
                released.append(n)
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(released.entries.isEmpty, "released before the turn ended")
        first.end()
        first.end()  // resuming a waiter a second time would trap
        for waiter in waiters { await waiter.value }
        #expect(released.entries.sorted() == [0, 1, 2])
        await ArchiveTurn(after: first).waitForPrevious()
    }

    @Test("a chain of turns ended out of order releases each batch only after all before it")
    func chainOrder() async {
        let turns = (0..<5).reduce(into: [ArchiveTurn]()) { turns, _ in turns.append(ArchiveTurn(after: turns.last)) }
        let order = Log()
        await withTaskGroup(of: Void.self) { group in
            // Started last first: without the turns they would run in about this order.
            for (index, turn) in turns.enumerated().reversed() {
                group.addTask {
                    await turn.waitForPrevious()
                    order.append(index)
                    turn.end()
                }
            }
        }
        #expect(order.entries == [0, 1, 2, 3, 4])
    }
}

/// What the waiting tasks did, in the order they did it.
private final class Log: Sendable {
    private let list = Mutex<[Int]>([])
    func append(_ entry: Int) { list.withLock { $0.append(entry) } }
    var entries: [Int] { list.withLock { $0 } }
}
