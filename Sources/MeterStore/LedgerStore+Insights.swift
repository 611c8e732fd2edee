import MeterCore

/// Which accounts an insights query covers.
public enum InsightsScope: Sendable, Equatable {
    /// These accounts, by id.
    case accounts([String])
    /// Every account of a business portfolio.
    case portfolio(String)
    /// Every account in the ledger.
    case all
}

extension LedgerStore {
    /// Answers an insights query over the accounts of `scope`, rated with the stored rate cards;
    /// `now` decides pending versus dropped. Only accounts `readableBy` admits are read (see
    /// `accounts(in:readableBy:)`).
    public func insights(
        scope: InsightsScope, query: InsightsQuery, now: Int64, readableBy access: AccessScope = .all
    ) async throws -> InsightsResult {
        let accounts = try await accounts(in: scope, readableBy: access)
        let plan = InsightsPlan(accounts: accounts, query: query, now: now, dayCaches: dayKeyCaches)
        // Each account-month is priced (on the task pool) as soon as it is read, while the next is
        // read on the snapshot's connection: a portfolio's reading and pricing overlap on two cores.
        let (inputs, parts) = try await withSnapshot { snapshot in
            try await withThrowingTaskGroup(of: (Int, InsightsBuilder.MonthPart).self) { group in
                var count = 0
                var filters: InsightsBuilder.Filters?
                // The plan gathers only the accounts the query keeps.
                let inputs = try await plan.gather(from: snapshot) { month, halfHours, phoneNumbers in
                    let index = count
                    count += 1
                    let monthFilters = filters ?? InsightsBuilder.Filters(query, phoneNumbers: phoneNumbers)
                    filters = monthFilters
                    group.addTask {
                        (
                            index,
                            InsightsBuilder.part(
                                of: month, query: query, halfHourCounters: halfHours, filters: monthFilters)
                        )
                    }
                }
                var parts = [InsightsBuilder.MonthPart?](repeating: nil, count: count)
                for try await (index, part) in group { parts[index] = part }
                return (inputs, parts.compactMap { $0 })
            }
        }
        var result = InsightsBuilder.assemble(query, inputs, parts: parts).insights
        if query.forecast { result.forecasts = try await forecasts(of: accounts, now: now) }
        return result
    }

    /// Each account's forecast of the month `now` is in, in its own time zone, from its report.
    func forecasts(of accounts: [Account], now: Int64) async throws -> [InsightsResult.AccountForecast] {
        var found: [InsightsResult.AccountForecast] = []
        for account in accounts {
            guard let calendar = BillingCalendar(timezoneIdentifier: account.timezone) else { continue }
            let month = YearMonth(containing: calendar.day(of: now))
            let report = try await report(accountID: account.id, month: month, now: now)
            guard let forecast = report.forecast else { continue }
            found.append(
                InsightsResult.AccountForecast(
                    account: account.id, month: month, currency: report.currency, forecast: forecast))
        }
        return found
    }

    /// One account's insights over part of a month, and that month's report, from one snapshot and
    /// one pricing of the month (the dashboard's account page shows both; pricing a busy month twice
    /// was half its render time). `query` must lie within `month`.
    public func insightsAndReport(
        account id: String, month: YearMonth, query: InsightsQuery, now: Int64
    ) async throws -> (insights: InsightsResult, report: Report) {
        let accounts = try await accounts(in: .accounts([id]))
        var wholeMonth = InsightsPlan(accounts: accounts, query: query, now: now, dayCaches: dayKeyCaches)
        wholeMonth.wholeMonth = month
        let plan = wholeMonth
        let inputs = try await withSnapshot { try await plan.gather(from: $0) }
        let (insights, report) = InsightsBuilder.build(query, inputs, reportOf: month)
        if let report { return (insights, report) }
        // A month with nothing to price was not gathered: its report is cheap on its own.
        return (insights, try await self.report(accountID: id, month: month, now: now))
    }

    /// The accounts of a scope, by id; an unknown account or an empty portfolio is an error (a typo
    /// must not read as "nothing happened").
    /// An account `access` does not admit is reported exactly as one that does not exist (a
    /// scoped token must not learn which other accounts the ledger holds), and `.all` is every
    /// account it admits.
    public func accounts(in scope: InsightsScope, readableBy access: AccessScope = .all) async throws -> [Account] {
        let all = try await accounts().filter(access.admits)
        switch scope {
        case .all:
            return all
        case .portfolio(let name):
            let members = all.filter { $0.portfolio == name }
            guard !members.isEmpty else { throw LedgerStoreError.unknownPortfolio(name) }
            return members
        case .accounts(let ids):
            var seen = Set<String>()
            return try ids.filter { seen.insert($0).inserted }.map { id in
                guard let account = all.first(where: { $0.id == id }) else { throw LedgerStoreError.unknownAccount(id) }
                return account
            }
        }
    }
}
