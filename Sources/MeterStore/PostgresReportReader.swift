import Foundation
import Logging
import MeterCore
import PostgresNIO

/// Reads what one month's report of one account is computed from, inside one read-only snapshot:
/// the same inputs `SQLiteLedgerStore.reportInputs` reads, so both backends build the same report.
struct PostgresReportReader: Sendable {
    let logger: Logger
    let dayCaches: DayKeyCaches
    let account: Account
    let month: YearMonth
    /// The month in the account's time zone, as UTC epoch seconds.
    let range: Range<Int64>
    let now: Int64

    func read(_ connection: PostgresConnection) async throws -> ReportInputs {
        let rollups = try await self.rollups(connection, account: account.id, onlyTiered: false)
        let rates = try await rateCard(connection)
        return ReportInputs(
            account: account, month: month, rollups: rollups,
            freeTierConversations: try await freeTierConversations(connection),
            undeliveredMessages: try await undelivered(
                connection, table: "messages", sentAt: "sent_at",
                condition: "delivered_at IS NULL AND failed_at IS NULL AND NOT is_group"),
            undeliveredConversations: try await undelivered(
                connection, table: "conversations", sentAt: "first_sent_at", condition: "first_delivered_at IS NULL"),
            rates: rates,
            volumeTiers: try await volumeTierInputs(connection, ownRollups: rollups, rates: rates),
            webhookPriced: try await webhookPriced(connection))
    }

    /// An account's counters for the month; with `onlyTiered`, only its charged tier-counted cells.
    private func rollups(
        _ connection: PostgresConnection, account: String, onlyTiered: Bool
    ) async throws
        -> [RollupRow]
    {
        var query: PostgresQuery = """
            SELECT day, metric, category, country, count FROM rollups
            WHERE account = \(account) AND day BETWEEN \(Int64(month.firstDay)) AND \(Int64(month.lastPossibleDay))
            """
        if onlyTiered {
            query.sql +=
                " AND metric = \(RollupMetric.messageCharged.rawValue) AND category IN \(LedgerSQL.tieredCategories)"
        }
        var rows: [RollupRow] = []
        for try await (day, metric, category, country, count) in try await connection.query(query, logger: logger)
            .decode((Int64, Int, String, String, Int).self)
        {
            guard let metric = RollupMetric(rawValue: metric) else { continue }
            rows.append(
                RollupRow(
                    key: RollupKey(day: DayKey(day), metric: metric, category: category, country: country),
                    count: count))
        }
        return rows
    }

    private func freeTierConversations(_ connection: PostgresConnection) async throws -> [FreeTierConversation] {
        guard case .first(let limit, let serviceOnly) = PricingRules.conversationFreeTier(for: month) else { return [] }
        let days = dayCaches.cache(for: account.timezone)
        var query: PostgresQuery = """
            SELECT first_delivered_at, category, recipient_number, recipient_country_code FROM conversations
            WHERE account = \(account.id) AND first_delivered_at >= \(range.lowerBound)
              AND first_delivered_at < \(range.upperBound) AND NOT is_free_entry_point
            """
        if serviceOnly { query.sql += " AND category = 'service'" }
        query.sql += " ORDER BY first_delivered_at, conversation_id LIMIT \(limit)"
        var free: [FreeTierConversation] = []
        for try await (deliveredAt, category, number, countryCode) in try await connection.query(query, logger: logger)
            .decode((Int64, String?, String?, String?).self)
        {
            free.append(
                FreeTierConversation(
                    day: days.day(of: deliveredAt), category: category ?? "unknown",
                    country: RecipientCountry.of(number: number, countryCode: countryCode)))
        }
        return free
    }

    /// Sent in the month and neither delivered nor failed: all of them, and those past the drop
    /// cut-off (pending versus dropped).
    private func undelivered(
        _ connection: PostgresConnection, table: String, sentAt: String, condition: String
    ) async throws -> UndeliveredCounts {
        let dropCutoff = now - PricingRules.dropAfterSeconds
        func count(before end: Int64) async throws -> Int {
            var query = PostgresQuery(
                unsafeSQL: "SELECT count(*) FROM \(table) WHERE account = $1 AND \(condition) "
                    + "AND \(sentAt) >= $2 AND \(sentAt) < $3")
            query.binds.append(account.id)
            query.binds.append(range.lowerBound)
            query.binds.append(end)
            var total = 0
            for try await n in try await connection.query(query, logger: logger).decode(Int.self) { total = n }
            return total
        }
        return UndeliveredCounts(
            total: try await count(before: range.upperBound),
            dropped: try await count(before: min(range.upperBound, dropCutoff + 1)))
    }

    /// The imported card for the account's currency, or the built-in one while nothing has been
    /// imported.
    private func rateCard(_ connection: PostgresConnection) async throws -> RateCard {
        var anyImported = false
        for try await exists in try await connection.query(
            "SELECT EXISTS (SELECT 1 FROM rates) OR EXISTS (SELECT 1 FROM rate_tiers)", logger: logger
        ).decode(Bool.self) {
            anyImported = exists
        }
        let rates = try await PostgresLedgerStore.rateEntries(
            connection, logger,
            "SELECT \(unescaped: PostgresLedgerStore.rateColumns) FROM rates WHERE currency = \(account.currency)")
        let tiers = try await PostgresLedgerStore.tierEntries(
            connection, logger,
            "SELECT \(unescaped: PostgresLedgerStore.tierColumns) FROM rate_tiers WHERE currency = \(account.currency)"
        )
        return DefaultRateCard.card(imported: rates, tiers: tiers, anyImported: anyImported)
    }

    /// The portfolio's tier pools for the month (see `SQLiteLedgerStore.volumeTierInputs`).
    private func volumeTierInputs(
        _ connection: PostgresConnection, ownRollups: [RollupRow], rates: RateCard
    ) async throws -> VolumeTierInputs {
        var members = [account]
        if let portfolio = account.portfolio {
            members += try await PostgresLedgerStore.accounts(
                connection, logger,
                """
                SELECT \(unescaped: PostgresLedgerStore.accountColumns) FROM accounts
                WHERE portfolio = \(portfolio) AND id <> \(account.id) ORDER BY id
                """)
        }
        var portfolioRollups = ownRollups.filter { $0.key.metric == .messageCharged }
        for member in members.dropFirst() {
            portfolioRollups += try await rollups(connection, account: member.id, onlyTiered: true)
        }
        let crossing = VolumeTierPricing.poolsCrossingATier(
            VolumeTierPricing.cells(of: portfolioRollups), currency: account.currency, card: rates)
        var units: [TierUnit] = []
        if !crossing.isEmpty {
            for member in members {
                guard let calendar = BillingCalendar(timezoneIdentifier: member.timezone) else { continue }
                let range = calendar.range(of: month)
                let days = dayCaches.cache(for: member.timezone)
                for message in try await messages(
                    connection, account: member.id, range: range,
                    condition: "pricing_category IN \(LedgerSQL.tieredCategories)")
                {
                    if let unit = TierUnit.of(message, days: days) { units.append(unit) }
                }
            }
        }
        var updates: [TierUpdate] = []
        for try await (account, effectiveMonth, region, category, tier, at) in try await connection.query(
            """
            SELECT account, effective_month, region, pricing_category, tier, tier_update_time FROM tier_updates
            WHERE effective_month = \(month.description) AND account = ANY(\(members.map(\.id)))
            """, logger: logger
        ).decode((String, String, String, String, String, Int64).self) {
            updates.append(
                TierUpdate(
                    account: account, effectiveMonth: effectiveMonth, region: region, pricingCategory: category,
                    tier: tier, updatedAt: at))
        }
        return VolumeTierInputs(
            portfolioRollups: portfolioRollups, orderedPools: crossing, orderedUnits: units, updates: updates)
    }

    private func webhookPriced(_ connection: PostgresConnection) async throws -> [WebhookPricedMessage] {
        let days = dayCaches.cache(for: account.timezone)
        return try await messages(connection, account: account.id, range: range, condition: "cost_amount IS NOT NULL")
            .compactMap { WebhookPricedMessage.of($0, currency: account.currency, days: days) }
    }

    /// An account's messages delivered in `range` that meet `condition`.
    private func messages(
        _ connection: PostgresConnection, account: String, range: Range<Int64>, condition: String
    ) async throws -> [MessageRecord] {
        let table = PostgresRecordTable<MessageRecord>.messages
        var query = PostgresQuery(
            unsafeSQL: "SELECT \(table.columnList) FROM messages WHERE account = $1 "
                + "AND delivered_at >= $2 AND delivered_at < $3 AND \(condition)")
        query.binds.append(account)
        query.binds.append(range.lowerBound)
        query.binds.append(range.upperBound)
        var messages: [MessageRecord] = []
        for try await row in try await connection.query(query, logger: logger) {
            messages.append(try table.decode(row.makeRandomAccess()))
        }
        return messages
    }
}
