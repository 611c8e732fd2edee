import MeterCore

extension LedgerStore {
    /// The month's report for an account, rated with the stored rate card.
    public func report(accountID: String, month: YearMonth, now: Int64) async throws -> Report {
        guard let account = try await account(id: accountID) else { throw LedgerStoreError.unknownAccount(accountID) }
        return ReportBuilder.build(try await reportInputs(account: account, month: month, now: now))
    }

    /// Gathers what a month's report is computed from (`ReportPlan`), in one snapshot; `now`
    /// decides pending versus dropped.
    public func reportInputs(account: Account, month: YearMonth, now: Int64) async throws -> ReportInputs {
        let plan = ReportPlan(account: account, month: month, now: now, dayCaches: dayKeyCaches)
        return try await withSnapshot { try await plan.gather(from: $0) }
    }
}
