import MeterCore

/// How a month's report of one account is gathered, for every backend: which records it reads
/// (`ReportSelections` says which, by rule) and in what steps. The result, `ReportInputs`, is
/// turned into the report by `ReportBuilder`, which prices it.
///
/// Steps: the account's counters for its month; the conversations the free tier covers; pending and
/// dropped units; the rate card; for volume tiers, the portfolio's tier-counted counters, and only
/// for pools that pass a tier boundary their order (`VolumeTierOrder`); Meta's tier updates; and
/// the messages whose webhook stated their price.
struct ReportPlan: Sendable {
    let account: Account
    let month: YearMonth
    /// The report's clock: decides pending versus dropped.
    let now: Int64
    let dayCaches: DayKeyCaches
    /// Whether to count the month's pending and dropped units (the insights count them over their
    /// own period instead; at 10 million messages these counts are a quarter of a month's reads).
    var countsUndelivered = true

    func gather(from snapshot: any LedgerSnapshot) async throws -> ReportInputs {
        var tierCells = TierCellMemo()
        return try await gather(from: snapshot, tierCells: &tierCells)
    }

    /// As `gather(from:)`, sharing `tierCells` with the other accounts' plans of one snapshot: a
    /// portfolio's members each need every member's tier-counted cells.
    func gather(from snapshot: any LedgerSnapshot, tierCells: inout TierCellMemo) async throws -> ReportInputs {
        guard let calendar = BillingCalendar(timezoneIdentifier: account.timezone) else {
            throw LedgerStoreError.invalidAccount(account.id, ["unknown time zone \(account.timezone)"])
        }
        let range = calendar.range(of: month)
        let days = dayCaches.cache(for: account.timezone)
        let rollups = try await snapshot.rollups(
            RollupSelection(account: account.id, days: month.firstDay...month.lastPossibleDay))
        if account.portfolio != nil { tierCells.keep(account: account.id, month: month, from: rollups) }

        var freeTier: [FreeTierConversation] = []
        if let selection = ReportSelections.freeTierConversations(account: account.id, month: month, range: range) {
            freeTier = try await snapshot.conversations(selection).compactMap { conversation in
                guard let deliveredAt = conversation.firstDeliveredAt else { return nil }
                return FreeTierConversation(
                    day: days.day(of: deliveredAt), category: conversation.category ?? "unknown",
                    country: RecipientCountry.of(
                        number: conversation.recipientNumber, countryCode: conversation.recipientCountryCode),
                    phone: conversation.phoneNumberId ?? "")
            }
        }

        var undeliveredMessages = UndeliveredCounts(total: 0, dropped: 0)
        var undeliveredConversations = UndeliveredCounts(total: 0, dropped: 0)
        if countsUndelivered {
            (undeliveredMessages, undeliveredConversations) = try await Self.undelivered(
                snapshot, account: account.id, sent: range, now: now)
        }

        let rates = try await snapshot.importedRates(currency: account.currency).card
        let volumeTiers = try await volumeTierInputs(snapshot, ownRollups: rollups, rates: rates, tierCells: &tierCells)
        let calls = try await callInputs(snapshot, range: range)
        let currency = account.currency
        let webhookPriced = try await snapshot.messages(
            ReportSelections.webhookPricedMessages(account: account.id, delivered: range)
        ) { WebhookPricedMessage.of($0, currency: currency, days: days) }

        var inputs = ReportInputs(
            account: account, month: month, rollups: rollups, freeTierConversations: freeTier,
            undeliveredMessages: undeliveredMessages, undeliveredConversations: undeliveredConversations,
            rates: rates, volumeTiers: volumeTiers, webhookPriced: webhookPriced, calls: calls)
        // The month in progress is forecast.
        if range.contains(now) { inputs.asOf = now }
        return inputs
    }

    /// The account's calls placed in the month and, for the calling tiers, the charged calls of
    /// its portfolio (each account's month in its own time zone); `nil` without any call.
    private func callInputs(_ snapshot: any LedgerSnapshot, range: Range<Int64>) async throws -> CallInputs? {
        let own = try await snapshot.calls(account: account.id, placedIn: range)
        guard !own.isEmpty else { return nil }
        let days = dayCaches.cache(for: account.timezone)
        var pool = own.compactMap { CallInputs.tierUnit($0, days: days, markets: .standard) }
        if let portfolio = account.portfolio, own.contains(where: \.isCharged) {
            for member in try await snapshot.accounts(inPortfolio: portfolio) where member.id != account.id {
                guard let calendar = BillingCalendar(timezoneIdentifier: member.timezone) else { continue }
                let memberDays = dayCaches.cache(for: member.timezone)
                pool += try await snapshot.calls(account: member.id, placedIn: calendar.range(of: month)).compactMap {
                    CallInputs.tierUnit($0, days: memberDays, markets: .standard)
                }
            }
        }
        return CallInputs(calls: own, portfolioCharged: pool)
    }

    /// Units of an account sent in `sent` and neither delivered nor failed: all of them, and those
    /// sent more than 30 days before `now` (dropped). Each unit is counted once: the dropped part
    /// and the pending rest are counted apart and added (a busy month has 100,000s of undelivered
    /// messages, and in a past month the two ranges were the same range read twice).
    static func undelivered(
        _ snapshot: any LedgerSnapshot, account: String, sent range: Range<Int64>, now: Int64
    ) async throws -> (messages: UndeliveredCounts, conversations: UndeliveredCounts) {
        let sent = ReportSelections.undeliveredRanges(month: range, now: now)
        let pending = sent.dropped.upperBound..<sent.all.upperBound
        func messages(_ part: Range<Int64>) async throws -> Int {
            part.isEmpty
                ? 0 : try await snapshot.count(ReportSelections.undeliveredMessages(account: account, sent: part))
        }
        func conversations(_ part: Range<Int64>) async throws -> Int {
            part.isEmpty
                ? 0 : try await snapshot.count(ReportSelections.undeliveredConversations(account: account, sent: part))
        }
        let droppedMessages = try await messages(sent.dropped)
        let droppedConversations = try await conversations(sent.dropped)
        return (
            UndeliveredCounts(total: droppedMessages + (try await messages(pending)), dropped: droppedMessages),
            UndeliveredCounts(
                total: droppedConversations + (try await conversations(pending)), dropped: droppedConversations)
        )
    }

    /// Consecutive half-hours (their starts, sorted) joined into time ranges: one read each.
    static func spans(of halfHours: [Int64]) -> [Range<Int64>] {
        var spans: [Range<Int64>] = []
        for start in halfHours {
            if let last = spans.last, last.upperBound == start {
                spans[spans.count - 1] = last.lowerBound..<start + 1_800
            } else {
                spans.append(start..<start + 1_800)
            }
        }
        return spans
    }

    /// The portfolio's tier pools for the month: every account's charged tier-counted cells (each in
    /// its own time zone), and, only for pools that pass a tier boundary, their units in delivery
    /// order (from the half-hour counters, and the messages of the half-hours holding a boundary).
    /// Pools below their first boundary are priced from the counts alone.
    private func volumeTierInputs(
        _ snapshot: any LedgerSnapshot, ownRollups: [RollupRow], rates: RateCard, tierCells: inout TierCellMemo
    ) async throws -> VolumeTierInputs {
        var members = [account]
        if let portfolio = account.portfolio {
            members += try await snapshot.accounts(inPortfolio: portfolio).filter { $0.id != account.id }
        }
        var memberCells = [(account: account, cells: ownRollups.filter { $0.key.metric == .messageCharged })]
        for member in members.dropFirst() {
            if let known = tierCells.cells(account: member.id, month: month) {
                memberCells.append((member, known))
            } else {
                let read = try await snapshot.rollups(
                    ReportSelections.tieredChargedCells(account: member.id, month: month))
                tierCells.keep(account: member.id, month: month, cells: read)
                memberCells.append((member, read))
            }
        }
        let portfolioRollups = memberCells.flatMap(\.cells)
        let crossing = VolumeTierPricing.poolsCrossingATier(
            VolumeTierPricing.cells(of: portfolioRollups), currency: account.currency, card: rates)
        var orderedRuns: [TierPoolKey: [VolumeTierPricing.Run]] = [:]
        if !crossing.isEmpty {
            // Where each crossing pool passes a boundary, from the counters; the messages of those
            // half-hours only are read in delivery order.
            let counters = try await tierCounters(snapshot, memberCells, crossing: crossing, rates: rates)
            let order = VolumeTierOrder.plan(counters, pools: crossing, currency: account.currency, card: rates)
            let halfHours = order.halfHoursToRead
            var units: [TierUnit] = []
            for member in members where !halfHours.isEmpty {
                // Each account's month is its own local month.
                guard let calendar = BillingCalendar(timezoneIdentifier: member.timezone) else { continue }
                let days = dayCaches.cache(for: member.timezone)
                let month = calendar.range(of: self.month)
                for range in Self.spans(of: halfHours) {
                    let delivered = max(range.lowerBound, month.lowerBound)..<min(range.upperBound, month.upperBound)
                    guard !delivered.isEmpty else { continue }
                    units += try await snapshot.messages(
                        ReportSelections.tieredMessages(account: member.id, delivered: delivered)
                    ) { TierUnit.of($0, days: days) }
                }
            }
            orderedRuns = VolumeTierOrder.runs(of: crossing, plan: order, units: units)
        }
        let updates = try await snapshot.tierUpdates(accounts: members.map(\.id), effectiveMonth: month)
        return VolumeTierInputs(
            portfolioRollups: portfolioRollups, orderedRuns: orderedRuns, updates: updates)
    }
}

extension ReportPlan {
    /// The counters the crossing pools' order is planned on (`VolumeTierOrder`). When every account
    /// of the portfolio keeps one time zone, a local day is the same stretch of time for all of
    /// them: each day's counters are one slot (starting at the day's first instant), and only the
    /// days inside which a tier changes are read by half-hour (a 150,000-message portfolio month is
    /// 90,000 half-hour counters, against a few thousand for those days). Otherwise, every half-hour.
    fileprivate func tierCounters(
        _ snapshot: any LedgerSnapshot, _ memberCells: [(account: Account, cells: [RollupRow])],
        crossing: Set<TierPoolKey>, rates: RateCard
    ) async throws -> [VolumeTierOrder.Counter] {
        let tiered = TierPoolKey.tieredCategories.map(\.category)
        guard Set(memberCells.map(\.account.timezone)).count == 1,
            let calendar = BillingCalendar(timezoneIdentifier: account.timezone)
        else {
            var counters: [VolumeTierOrder.Counter] = []
            for (member, _) in memberCells {
                counters += try await snapshot.rollups(
                    ReportSelections.tieredChargedHalfHours(
                        account: member.id, days: month.firstDay...month.lastPossibleDay)
                ).map { VolumeTierOrder.Counter(account: member.id, row: $0) }
            }
            return counters
        }
        var starts: [DayKey: Int64] = [:]
        var byDay: [VolumeTierOrder.Counter] = []
        for (member, cells) in memberCells {
            for cell in cells where cell.key.metric == .messageCharged && tiered.contains(cell.key.category) {
                var key = cell.key
                key.halfHour = starts[key.day] ?? calendar.start(of: key.day)
                starts[key.day] = key.halfHour
                byDay.append(VolumeTierOrder.Counter(account: member.id, row: RollupRow(key: key, count: cell.count)))
            }
        }
        let splitStarts = VolumeTierOrder.plan(byDay, pools: crossing, currency: account.currency, card: rates)
            .halfHoursToRead
        let split = Set(starts.filter { splitStarts.contains($0.value) }.keys)
        guard !split.isEmpty else { return byDay }
        var counters = byDay.filter { !split.contains($0.row.key.day) }
        for days in Self.daySpans(of: split.sorted(), calendar) {
            for (member, _) in memberCells {
                counters += try await snapshot.rollups(
                    ReportSelections.tieredChargedHalfHours(account: member.id, days: days)
                ).map { VolumeTierOrder.Counter(account: member.id, row: $0) }
            }
        }
        return counters
    }

    /// Consecutive days (sorted) joined into ranges: one read each.
    fileprivate static func daySpans(of days: [DayKey], _ calendar: BillingCalendar) -> [ClosedRange<DayKey>] {
        var spans: [ClosedRange<DayKey>] = []
        for day in days {
            if let last = spans.last,
                calendar.day(of: calendar.range(from: last.upperBound, through: last.upperBound).upperBound) == day
            {
                spans[spans.count - 1] = last.lowerBound...day
            } else {
                spans.append(day...day)
            }
        }
        return spans
    }
}

/// The charged, tier-counted counter cells of account-months already read in one snapshot (each
/// account's own month rollups hold them), so that the members of a portfolio read each other's once.
struct TierCellMemo {
    private var cells: [String: [RollupRow]] = [:]

    /// Keeps what `ReportSelections.tieredChargedCells` would select, from the account's month rollups.
    mutating func keep(account: String, month: YearMonth, from rollups: [RollupRow]) {
        cells[Self.key(account, month)] = rollups.filter {
            $0.key.metric == .messageCharged && TierPoolKey.poolCategory(of: $0.key.category) != nil
        }
    }

    /// Keeps the cells read with `ReportSelections.tieredChargedCells`.
    mutating func keep(account: String, month: YearMonth, cells read: [RollupRow]) {
        cells[Self.key(account, month)] = read
    }

    func cells(account: String, month: YearMonth) -> [RollupRow]? { cells[Self.key(account, month)] }

    private static func key(_ account: String, _ month: YearMonth) -> String { "\(account) \(month)" }
}
