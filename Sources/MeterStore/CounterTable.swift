import MeterCore

/// The counters' layout, for both backends: one row per account × local day (× UTC half-hour, in
/// the half-hour counters) × business phone number × category × country, with a column per metric.
/// A message's events mostly fall on one day and in one half-hour (sent, delivered and read
/// seconds apart), so one row holds what a row per metric would spread over several: the write
/// path upserts fewer rows and a month's read steps through fewer (measured in
/// docs/benchmarks.md).
struct CounterTable: Sendable {
    let name: String
    /// Whether rows carry `half_hour`.
    let halfHourly: Bool

    /// The day counters: what reports and insights by day, month or period read.
    static let daily = CounterTable(name: "day_counters", halfHourly: false)
    /// The half-hour counters: the insights' `half_hour` granularity.
    static let halfHourly = CounterTable(name: "half_hour_counters", halfHourly: true)

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

    static let metricColumns = metrics.map(column)

    var keyColumns: [String] {
        ["account", "day"] + (halfHourly ? ["half_hour"] : []) + ["phone", "category", "country"]
    }

    /// Whether a key column holds text (the others are integers: the day and the half-hour).
    func isText(_ column: String) -> Bool { ["account", "phone", "category", "country"].contains(column) }

    /// `CREATE TABLE`, with the backend's integer type.
    func createTable(integer: String, withoutRowID: Bool) -> String {
        let keys = keyColumns.map { isText($0) ? "TEXT" : integer }
        return """
            CREATE TABLE \(name) (
            \(zip(keyColumns, keys).map { "    \($0) \($1) NOT NULL," }.joined(separator: "\n"))
            \(Self.metricColumns.map { "    \($0) \(integer) NOT NULL DEFAULT 0," }.joined(separator: "\n"))
                PRIMARY KEY (\(keyColumns.joined(separator: ", ")))
            )\(withoutRowID ? " WITHOUT ROWID" : "")
            """
    }

    /// `INSERT … ON CONFLICT DO UPDATE` adding each metric column; `rows` gives the values (a
    /// `VALUES` list, or a `SELECT`).
    func upsert(rows: String) -> String {
        """
        INSERT INTO \(name) (\((keyColumns + Self.metricColumns).joined(separator: ", "))) \(rows)
        ON CONFLICT (\(keyColumns.joined(separator: ", "))) DO UPDATE SET
        \(Self.metricColumns.map { "\($0) = \(name).\($0) + excluded.\($0)" }.joined(separator: ", "))
        """
    }

    /// "Every metric of the row is zero": a row that went back to zero is removed, so a table holds
    /// exactly the non-zero cells.
    static let allZero = metricColumns.map { "\($0) = 0" }.joined(separator: " AND ")

    /// A row's key (`halfHour` 0 in the day counters).
    struct Cell: Hashable {
        var account: String
        var day: DayKey
        var halfHour: Int64
        var phone: String
        var category: String
        var country: String

        /// Field by field, without building tuples of copied strings: a bulk load sorts tens of
        /// thousands of cells per batch.
        static func < (a: Cell, b: Cell) -> Bool {
            if a.account != b.account { return a.account < b.account }
            if a.day != b.day { return a.day < b.day }
            if a.halfHour != b.halfHour { return a.halfHour < b.halfHour }
            if a.phone != b.phone { return a.phone < b.phone }
            if a.category != b.category { return a.category < b.category }
            return a.country < b.country
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

    /// The counters a selection names: `day, half_hour (0 in the day counters), phone, category,
    /// country`, then the metric columns (`selectedMetrics`).
    static func select(_ selection: RollupSelection, _ dialect: SQLDialect) -> SQLStatement {
        let table = selection.halfHourly ? halfHourly : daily
        var filter = SelectionSQL.Filter(dialect)
        filter.equal("account", .text(selection.account))
        filter.between("day", Int64(selection.days.lowerBound), Int64(selection.days.upperBound))
        if let metric = selection.metric { filter.condition("\(column(metric)) <> 0") }
        if let categories = selection.categories { filter.oneOf("category", categories) }
        let halfHour = table.halfHourly ? "half_hour" : "CAST(0 AS BIGINT)"
        let columns = selectedMetrics(selection).map(column).joined(separator: ", ")
        return filter.statement("SELECT day, \(halfHour), phone, category, country, \(columns) FROM \(table.name)")
    }

    /// The metric columns `select` reads, in order: the selection's metric only, when it names one
    /// (a portfolio's tier pools read 100,000s of half-hour rows for their charged count alone).
    static func selectedMetrics(_ selection: RollupSelection) -> [RollupMetric] {
        selection.metric.map { [$0] } ?? metrics
    }

    /// 1 when the selection holds a counter, else 0: a probe that stops at the first row.
    static func probe(_ selection: RollupSelection, _ dialect: SQLDialect) -> SQLStatement {
        var statement = select(selection, dialect)
        statement.text = "SELECT count(*) FROM (" + statement.text + " LIMIT 1) AS probe"
        return statement
    }

    /// The counters of one selected row: `counts` are its metric columns, `selected` their metrics
    /// (`selectedMetrics`); one row per non-zero count.
    static func rollupRows(
        day: DayKey, halfHour: Int64, phone: String, category: String, country: String, counts: [Int],
        selected: [RollupMetric], into rows: inout [RollupRow]
    ) {
        for (metric, count) in zip(selected, counts) where count != 0 {
            rows.append(
                RollupRow(
                    key: RollupKey(
                        day: day, metric: metric, category: category, country: country, phone: phone,
                        halfHour: halfHour),
                    count: count))
        }
    }
}
