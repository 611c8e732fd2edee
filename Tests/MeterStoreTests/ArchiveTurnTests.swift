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

    @Test("a turn that has ended lets later waiters through at once, and ending it again does nothing")
    func endedTurns() async {
        let first = ArchiveTurn(after: nil)
        first.end()
        first.end()
        #expect(first.hasEnded)
        let second = ArchiveTurn(after: first)
        await second.waitForPrevious()
        #expect(!second.hasEnded)
        second.end()
        await ArchiveTurn(after: second).waitForPrevious()
    }

    @Test("a chain of turns ended out of order releases each batch only after all before it")
    func chainOrder() async {
        let turns = (0..<5).reduce(into: [ArchiveTurn]()) { turns, _ in turns.append(ArchiveTurn(after: turns.last)) }
        let order = Log()
        await withTaskGroup(of: Void.self) { group in
            for (index, turn) in turns.enumerated() {
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
