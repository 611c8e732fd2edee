import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

/// Kept reconciliations (`wameter reconcile --save`, serve's daily run) on both backends.
@Suite("Kept reconciliations", .closesStores)
struct ReconciliationStoreTests {
    static func record(
        _ account: String, _ month: String, at time: Int64, differences: Int = 0
    )
        -> StoredReconciliation
    {
        StoredReconciliation(
            account: account, month: YearMonth(month)!, checkedAt: time, agrees: differences == 0,
            differences: differences, body: #"{"account":"\#(account)","at":\#(time)}"#)
    }

    @Test(
        "listed newest first, by account, month and limit; a second save of the same second replaces it",
        arguments: StoreBackend.all)
    func listing(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        try await store.saveReconciliation(Self.record("A", "2025-11", at: 100))
        try await store.saveReconciliation(Self.record("A", "2025-11", at: 300, differences: 4))
        try await store.saveReconciliation(Self.record("B", "2025-10", at: 200))
        try await store.saveReconciliation(Self.record("C", "2025-11", at: 50))
        let all = try await store.reconciliations(accounts: nil, month: nil, limit: 10)
        #expect(all.map(\.checkedAt) == [300, 200, 100, 50])
        #expect(all[0] == Self.record("A", "2025-11", at: 300, differences: 4))
        #expect(
            try await store.reconciliations(accounts: ["A", "B"], month: nil, limit: 10).map(\.checkedAt) == [
                300, 200, 100,
            ])
        #expect(
            try await store.reconciliations(accounts: nil, month: YearMonth("2025-11"), limit: 10).map(\.account) == [
                "A", "A", "C",
            ])
        #expect(try await store.reconciliations(accounts: ["A"], month: nil, limit: 1).map(\.checkedAt) == [300])
        #expect(try await store.reconciliations(accounts: [], month: nil, limit: 10).isEmpty)
        // The same account, month and second: the later save wins.
        try await store.saveReconciliation(Self.record("A", "2025-11", at: 300))
        let replaced = try await store.reconciliations(accounts: ["A"], month: nil, limit: 1)
        #expect(replaced.first?.agrees == true)
        #expect(try await store.reconciliations(accounts: nil, month: nil, limit: 10).count == 4)
    }
}
