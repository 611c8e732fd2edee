import MeterCore

/// A reconciliation kept in the ledger (by `serve`'s daily run or `wameter reconcile --save`): the
/// drift report's JSON as it was rendered, with the keys it is listed by.
public struct StoredReconciliation: Sendable, Equatable {
    public var account: String
    public var month: YearMonth
    public var checkedAt: Int64
    public var agrees: Bool
    /// Differing cells.
    public var differences: Int
    /// `ReconciliationJSON`, encoded.
    public var body: String

    public init(account: String, month: YearMonth, checkedAt: Int64, agrees: Bool, differences: Int, body: String) {
        self.account = account
        self.month = month
        self.checkedAt = checkedAt
        self.agrees = agrees
        self.differences = differences
        self.body = body
    }

    public init(_ reconciliation: Reconciliation) {
        self.init(
            account: reconciliation.account, month: reconciliation.month, checkedAt: reconciliation.checkedAt,
            agrees: reconciliation.agrees, differences: reconciliation.drifts.count,
            body: String(decoding: WireJSON.encode(ReconciliationJSON(reconciliation)), as: UTF8.self))
    }
}
