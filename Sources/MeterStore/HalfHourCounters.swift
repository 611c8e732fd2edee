import MeterCore

/// The half-hour counters' layout, for both backends: one row per account × local day × UTC
/// half-hour × business phone number × category × country, with a column per metric. A message's
/// events mostly fall in one half-hour (sent, delivered and read seconds apart), so one row holds
/// what would be several rows of the day counters' one-metric layout: the write path upserts a
/// third as many rows (measured in docs/benchmarks.md).
enum HalfHourCounters {
    static let table = "half_hour_counters"

    /// The metrics, in column order.
    static let metrics: [RollupMetric] = RollupMetric.allCases

    static func column(_ metric: RollupMetric) -> String {
        switch metric {
        case .messageSent: "messages_sent"
        case .messageDelivered: "messages_delivered"
        case .messageRead: "messages_read"
        case .messageFailed: "messages_failed"
        case .messageReceived: "messages_received"
        case .messageCharged: "messages_charged"
        case .messageFreeEntryPoint: "messages_free_entry_point"
        case .messageFreeCustomerService: "messages_free_customer_service"
        case .messageAppSent: "messages_app_sent"
        case .messageAgentSent: "messages_agent_sent"
        case .conversationDelivered: "conversations_delivered"
        case .conversationBillable: "conversations_billable"
        }
    }

    static let keyColumns = ["account", "day", "half_hour", "phone", "category", "country"]
    static let metricColumns = metrics.map(column)

    /// `CREATE TABLE`, with the backend's integer type.
    static func createTable(integer: String, withoutRowID: Bool) -> String {
        """
        CREATE TABLE \(table) (
            account TEXT NOT NULL,
            day \(integer) NOT NULL,
            half_hour \(integer) NOT NULL,
            phone TEXT NOT NULL,
            category TEXT NOT NULL,
            country TEXT NOT NULL,
        \(metricColumns.map { "    \($0) \(integer) NOT NULL DEFAULT 0," }.joined(separator: "\n"))
            PRIMARY KEY (\(keyColumns.joined(separator: ", ")))
        )\(withoutRowID ? " WITHOUT ROWID" : "")
        """
    }

    /// `INSERT … ON CONFLICT DO UPDATE` adding each metric column; `rows` rows of values, with the
    /// backend's parameter markers (`SQLDialect.parameter`).
    static func upsert(rows: String) -> String {
        """
        INSERT INTO \(table) (\((keyColumns + metricColumns).joined(separator: ", "))) \(rows)
        ON CONFLICT (\(keyColumns.joined(separator: ", "))) DO UPDATE SET
        \(metricColumns.map { "\($0) = \(table).\($0) + excluded.\($0)" }.joined(separator: ", "))
        """
    }

    /// "Every metric of the row is zero": a row that went back to zero is removed, so the table
    /// holds exactly the non-zero cells.
    static let allZero = metricColumns.map { "\($0) = 0" }.joined(separator: " AND ")

    /// A row's key.
    struct Cell: Hashable {
        var account: String
        var day: DayKey
        var halfHour: Int64
        var phone: String
        var category: String
        var country: String

        static func < (a: Cell, b: Cell) -> Bool {
            if (a.account, a.day, a.halfHour) != (b.account, b.day, b.halfHour) {
                return (a.account, a.day, a.halfHour) < (b.account, b.day, b.halfHour)
            }
            return (a.phone, a.category, a.country) < (b.phone, b.category, b.country)
        }
    }

    /// Counter changes as row changes: each cell's metric columns, and whether any went down (only
    /// then can the row have reached zero). `sorted` orders them by key, so that concurrent writers
    /// update shared rows in one order and cannot deadlock.
    static func rows(
        _ changes: [LedgerMerger.CounterChange], sorted: Bool
    ) -> [(cell: Cell, counts: [Int64], wentDown: Bool)] {
        var index: [Cell: Int] = [:]
        var rows: [(cell: Cell, counts: [Int64], wentDown: Bool)] = []
        for (account, key, count) in changes {
            let cell = Cell(
                account: account, day: key.day, halfHour: key.halfHour, phone: key.phone, category: key.category,
                country: key.country)
            let at: Int
            if let existing = index[cell] {
                at = existing
            } else {
                at = rows.count
                index[cell] = at
                rows.append((cell, [Int64](repeating: 0, count: metrics.count), false))
            }
            rows[at].counts[columnIndex[key.metric]!] += Int64(count)
            if count < 0 { rows[at].wentDown = true }
        }
        if sorted { rows.sort { $0.cell < $1.cell } }
        return rows
    }

    private static let columnIndex = Dictionary(uniqueKeysWithValues: metrics.enumerated().map { ($1, $0) })

    /// `SELECT` of the counters a selection names, and how its rows become `RollupRow`s: one per
    /// non-zero metric column.
    static func select(_ selection: RollupSelection, _ dialect: SQLDialect) -> SQLStatement {
        var filter = SelectionSQL.Filter(dialect)
        filter.equal("account", .text(selection.account))
        filter.between("day", Int64(selection.days.lowerBound), Int64(selection.days.upperBound))
        if let metric = selection.metric { filter.condition("\(column(metric)) <> 0") }
        if let categories = selection.categories { filter.oneOf("category", categories) }
        return filter.statement(
            "SELECT day, half_hour, phone, category, country, \(metricColumns.joined(separator: ", ")) FROM \(table)")
    }

    /// The counters of one selected row (`select`'s columns: key values, then the metric counts).
    static func rollupRows(
        day: DayKey, halfHour: Int64, phone: String, category: String, country: String, counts: [Int],
        metric: RollupMetric?, into rows: inout [RollupRow]
    ) {
        for (index, count) in counts.enumerated() where count != 0 {
            let rowMetric = metrics[index]
            if let metric, metric != rowMetric { continue }
            rows.append(
                RollupRow(
                    key: RollupKey(
                        day: day, metric: rowMetric, category: category, country: country, phone: phone,
                        halfHour: halfHour),
                    count: count))
        }
    }
}
