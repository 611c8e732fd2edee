import Synchronization

/// Bytes of request bodies the server holds at once. A request reserves its declared size before
/// reading its body and gives it back when it is answered, so many large or slow bodies cannot
/// add up to more memory than the budget: past it, a request is refused before it is buffered.
final class BodyMemoryBudget: Sendable {
    let capacity: Int
    private let reserved = Atomic<Int>(0)

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Reserves `bytes`, or returns `false` (reserving nothing) when they do not fit.
    func reserve(_ bytes: Int) -> Bool {
        var current = reserved.load(ordering: .relaxed)
        while true {
            guard current + bytes <= capacity else { return false }
            let (exchanged, original) = reserved.compareExchange(
                expected: current, desired: current + bytes, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
    }

    func release(_ bytes: Int) {
        reserved.subtract(bytes, ordering: .acquiringAndReleasing)
    }
}
