import MeterCore

/// How an insights query is gathered, for every backend: for each account, the inputs of every
/// billing month its period touches (as a month's report gathers them, `ReportPlan`: pricing needs
/// the whole month), and its units sent in the period and not delivered. All in one snapshot, so
/// the answer is one consistent state of the ledger.
struct InsightsPlan: Sendable {
    let accounts: [Account]
    let query: InsightsQuery
    /// The query's clock: decides pending versus dropped.
    let now: Int64
    let dayCaches: DayKeyCaches
    /// A month gathered whole, pending and dropped units included, so that its report can be built
    /// from the same inputs (`LedgerStore.insightsAndReport`).
    var wholeMonth: YearMonth?

    func gather(from snapshot: any LedgerSnapshot) async throws -> InsightsInputs {
        try await gather(from: snapshot) { _, _, _ in }
    }

    /// As `gather(from:)`, handing each account-month to `gathered` as soon as it is read (with its
    /// half-hour counters on the period's days and the accounts' phone numbers), so that it can be
    /// priced while the next is read.
    func gather(
        from snapshot: any LedgerSnapshot,
        gathered: (ReportInputs, _ halfHourCounters: [RollupRow], _ phoneNumbers: [BusinessPhoneNumber]) -> Void
    ) async throws -> InsightsInputs {
        // For display numbers beside ids, and for filters that name numbers by display number.
        let needsNumbers = query.dimensions.contains(.phone) || query.filters.values[.phone] != nil
        let phoneNumbers = needsNumbers ? try await snapshot.phoneNumbers(accounts: accounts.map(\.id)) : []
        var months: [ReportInputs] = []
        var halfHourCounters: [String: [RollupRow]] = [:]
        var undelivered: [String: InsightsInputs.Undelivered] = [:]
        // Each member's charged tier-counted cells, read once for every account of its portfolio.
        var tierCells = TierCellMemo()
        for account in accounts where query.filters.keeps(.account, account.id) {
            guard let calendar = BillingCalendar(timezoneIdentifier: account.timezone) else {
                throw LedgerStoreError.invalidAccount(account.id, ["unknown time zone \(account.timezone)"])
            }
            for month in query.months {
                // A month with no counters and no calls has nothing to price (its undelivered units
                // are counted below, over the period): skipping it keeps a query over years as cheap
                // as its data.
                let days = max(month.firstDay, query.from)...min(month.lastPossibleDay, query.to)
                var hasData = try await snapshot.hasRollups(RollupSelection(account: account.id, days: days))
                if !hasData {
                    let range = calendar.range(from: days.lowerBound, through: min(days.upperBound, month.lastDay))
                    hasData = !(try await snapshot.calls(account: account.id, placedIn: range).isEmpty)
                }
                guard hasData else { continue }
                var plan = ReportPlan(account: account, month: month, now: now, dayCaches: dayCaches)
                plan.countsUndelivered = month == wholeMonth
                let inputs = try await plan.gather(from: snapshot, tierCells: &tierCells)
                months.append(inputs)
                var halfHours: [RollupRow] = []
                if query.granularity == .halfHour || query.instants != nil {
                    // The month is priced by day; its units are placed in half-hours by these.
                    halfHours = try await snapshot.rollups(
                        RollupSelection(account: account.id, days: days, halfHourly: true))
                    halfHourCounters[InsightsInputs.halfHourKey(account: account.id, month: month)] = halfHours
                }
                gathered(inputs, halfHours, phoneNumbers)
            }
        }
        // The undelivered counts after every month: the months are being priced meanwhile.
        for account in accounts where query.filters.keeps(.account, account.id) {
            guard let calendar = BillingCalendar(timezoneIdentifier: account.timezone) else { continue }
            let sent = query.instants ?? calendar.range(from: query.from, through: query.to)
            if let whole = months.last(where: { $0.account.id == account.id }), whole.month == wholeMonth,
                calendar.range(of: whole.month) == sent
            {
                // The period is the month gathered whole: its counts are these.
                undelivered[account.id] = InsightsInputs.Undelivered(
                    messages: whole.undeliveredMessages, conversations: whole.undeliveredConversations)
                continue
            }
            let counts = try await ReportPlan.undelivered(snapshot, account: account.id, sent: sent, now: now)
            undelivered[account.id] = InsightsInputs.Undelivered(
                messages: counts.messages, conversations: counts.conversations)
        }
        return InsightsInputs(
            accounts: accounts, months: months, undelivered: undelivered, phoneNumbers: phoneNumbers,
            halfHourCounters: halfHourCounters)
    }
}
