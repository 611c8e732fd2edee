import Synchronization

/// A number that changes each time the committer makes deliveries durable: what open dashboard
/// pages poll (`GET /dashboard/version`) to know that their figures are stale. One counter read
/// per poll, however many pages are open, so pages cost ingestion nothing.
public final class LedgerVersion: Sendable {
    private let value = Atomic<UInt64>(0)

    public init() {}

    public var current: UInt64 { value.load(ordering: .acquiring) }

    func advance() {
        value.add(1, ordering: .releasing)
    }
}
