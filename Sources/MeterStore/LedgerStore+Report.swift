import MeterCore

extension LedgerStore {
    /// The month's report for an account, rated with the stored rate card.
    public func report(accountID: String, month: YearMonth, now: Int64) async throws -> Report {
        guard let account = try await account(id: accountID) else { throw LedgerStoreError.unknownAccount(accountID) }
        return ReportBuilder.build(try await reportInputs(account: account, month: month, now: now))
    }
}
