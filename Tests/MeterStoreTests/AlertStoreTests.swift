import Foundation
import MeterCore
import MeterStore
import TestSupport
import Testing

/// Budgets, alerts and the outbox of their deliveries, on both backends.
@Suite("Budgets and alerts in the store", .closesStores)
struct AlertStoreTests {
    static let hook = AlertTarget(url: "https://example.com/hook")
    static let slack = AlertTarget(url: "https://hooks.slack.com/services/T/B/X", format: .slack)

    static func alert(_ id: String, account: String? = "A", portfolio: String? = nil, at time: Int64) -> Alert {
        Alert(
            id: id, kind: .budgetSpend, account: account, portfolio: portfolio, month: "2026-11", raisedAt: time,
            message: "m \(id)")
    }

    @Test("budgets: set replaces, listed by scope, removed once", arguments: StoreBackend.all)
    func budgets(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let account = Budget(
            scope: .account("A"), monthly: "1500.50", currency: "USD", alertAt: [80, 50],
            notify: [Self.hook, Self.slack],
            createdAt: 1)
        try await store.setBudget(account)
        try await store.setBudget(Budget(scope: .portfolio("P"), monthly: 10, currency: "EUR", createdAt: 2))
        try await store.setBudget(Budget(scope: .portfolio("P"), monthly: 20, currency: "EUR", createdAt: 3))
        let budgets = try await store.budgets()
        #expect(budgets.count == 2)
        #expect(budgets[0] == account)
        #expect(budgets[1].monthly == 20 && budgets[1].alertAt == Budget.defaultAlertAt)
        #expect(try await store.removeBudget(.portfolio("P")))
        #expect(try await !store.removeBudget(.portfolio("P")))
        #expect(try await store.budgets() == [account])
    }

    @Test("an alert is raised once, with one delivery per target, in one transaction", arguments: StoreBackend.all)
    func raiseOnce(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let first = try await store.raiseAlerts(
            [(Self.alert("x", at: 10), [Self.hook, Self.slack, Self.hook])], now: 10)
        #expect(first.map(\.id) == ["x"])
        // Raised again (another evaluation, another instance): nothing new, no second delivery.
        let again = try await store.raiseAlerts(
            [(Self.alert("x", at: 20), [Self.hook]), (Self.alert("y", at: 20), [])], now: 20)
        #expect(again.map(\.id) == ["y"])
        let listed = try await store.alerts(visibleTo: .all, limit: 10)
        #expect(listed.map(\.alert.id) == ["y", "x"])
        #expect(listed[1].alert.raisedAt == 10)
        #expect(listed[1].deliveries.map(\.target) == [Self.slack, Self.hook].sorted { $0.url < $1.url })
        #expect(listed[1].deliveries.allSatisfy { $0.attempts == 0 && $0.deliveredAt == nil })
    }

    @Test(
        "the outbox: claims exclude each other until the lease ends; delivered is never sent again; retries wait",
        arguments: StoreBackend.all)
    func outbox(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        _ = try await store.raiseAlerts(
            [(Self.alert("x", at: 10), [Self.hook]), (Self.alert("y", at: 11), [Self.hook])], now: 10)
        let claimed = try await store.claimAlertDeliveries(now: 10, leaseSeconds: 60, limit: 10)
        #expect(claimed.map(\.alert.id) == ["x", "y"])
        #expect(claimed[0].alert == Self.alert("x", at: 10))
        // Another sender at the same time gets nothing; after the lease, both again (a sender died).
        #expect(try await store.claimAlertDeliveries(now: 30, leaseSeconds: 60, limit: 10).isEmpty)
        let relapsed = try await store.claimAlertDeliveries(now: 71, leaseSeconds: 60, limit: 10)
        #expect(relapsed.count == 2)
        try await store.finishAlertDelivery(relapsed[0], at: 72, outcome: .delivered)
        try await store.finishAlertDelivery(relapsed[1], at: 72, outcome: .retry(next: 200, error: "HTTP 503"))
        #expect(try await store.claimAlertDeliveries(now: 199, leaseSeconds: 60, limit: 10).isEmpty)
        let retried = try await store.claimAlertDeliveries(now: 200, leaseSeconds: 60, limit: 10)
        #expect(retried.map(\.alert.id) == ["y"])
        #expect(retried.first?.attempts == 1)
        try await store.finishAlertDelivery(retried[0], at: 201, outcome: .abandoned(error: "HTTP 410"))
        #expect(try await store.claimAlertDeliveries(now: 10_000, leaseSeconds: 60, limit: 10).isEmpty)
        let listed = try await store.alerts(visibleTo: .all, limit: 10)
        #expect(listed.first { $0.alert.id == "x" }?.deliveries.first?.deliveredAt == 72)
        let abandoned = try #require(listed.first { $0.alert.id == "y" }?.deliveries.first)
        #expect(abandoned.abandoned && abandoned.attempts == 2 && abandoned.lastError == "HTTP 410")
        // A late finish of an already delivered row changes nothing.
        try await store.finishAlertDelivery(relapsed[0], at: 300, outcome: .retry(next: 400, error: "late"))
        #expect(
            try await store.alerts(visibleTo: .all, limit: 10).first { $0.alert.id == "x" }?.deliveries.first?
                .deliveredAt == 72)
    }

    @Test("who sees which alerts: an account's, a portfolio's, all", arguments: StoreBackend.all)
    func visibility(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        _ = try await store.raiseAlerts(
            [
                (Self.alert("a", account: "A", at: 1), []), (Self.alert("b", account: "B", at: 2), []),
                (Self.alert("p", account: nil, portfolio: "P", at: 3), []),
                (Self.alert("q", account: nil, portfolio: "Q", at: 4), []),
            ], now: 5)
        func ids(_ visibility: AlertVisibility) async throws -> [String] {
            try await store.alerts(visibleTo: visibility, limit: 10).map(\.alert.id)
        }
        #expect(try await ids(.all) == ["q", "p", "b", "a"])
        #expect(try await ids(AlertVisibility(accounts: ["A"], portfolios: [])) == ["a"])
        #expect(try await ids(AlertVisibility(accounts: ["A", "B"], portfolios: ["P"])) == ["p", "b", "a"])
        #expect(try await ids(AlertVisibility(accounts: [], portfolios: [])) == [])
        #expect(try await store.alerts(visibleTo: .all, limit: 2).count == 2)
    }

    @Test("last activity: the end of the latest half-hour with an event", arguments: StoreBackend.all)
    func lastActivity(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore(accounts: [Account(id: "A", timezone: "Asia/Kolkata", currency: "USD")])
        #expect(try await store.lastActivity(account: "A") == nil)
        let late = utc("2026-11-03T20:10:00Z")  // 01:40 on the 4th in Kolkata
        try await LedgerScenario.ingest(
            store,
            [
                LedgerScenario.status(
                    account: "A", "m1", "delivered", at: utc("2026-11-03T10:00:00Z"),
                    pricing: LedgerScenario.pmp("marketing")),
                LedgerScenario.status(
                    account: "A", "m2", "delivered", at: late, pricing: LedgerScenario.pmp("utility")),
            ])
        #expect(try await store.lastActivity(account: "A") == utc("2026-11-03T20:30:00Z"))
        #expect(try await store.lastActivity(account: "B") == nil)
    }
}
