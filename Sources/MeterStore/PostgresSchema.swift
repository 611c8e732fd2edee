import Logging
import PostgresNIO

/// The PostgreSQL schema and its migrations, owned by the store like `SQLiteSchema`.
///
/// The tables match SQLite's version 2 (the state of the ledger when this backend was added), with
/// PostgreSQL's types: BIGINT times and counters, BOOLEAN flags, BYTEA bodies, and rates as exact
/// decimal TEXT (parsed into `Decimal`, never a float). Migrations run in one transaction under an
/// advisory lock, so several instances starting at once apply each exactly once: the first takes
/// the lock and migrates, the others wait for it and then find nothing left to do.
enum PostgresSchema {
    struct Migration {
        var name: String
        var statements: [String]
        /// Replays the archive after the statements: the ledger's rules changed, and the live ledger
        /// must equal a rebuild.
        var rebuildsLedger = false
    }

    static let migrations: [Migration] = [
        Migration(
            name: "v1: ledger, rates, volume tiers",
            statements: [
                """
                CREATE TABLE accounts (
                    id TEXT PRIMARY KEY,
                    name TEXT,
                    timezone TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    portfolio TEXT,
                    auto_created BOOLEAN NOT NULL DEFAULT false
                )
                """,
                "CREATE INDEX accounts_portfolio ON accounts (portfolio) WHERE portfolio IS NOT NULL",
                // The source of truth: every body as received, retries included. Ids come from a
                // sequence, so instances interleave; the merge is order-free, so replay order does
                // not change the ledger.
                """
                CREATE TABLE raw_bodies (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    received_at BIGINT NOT NULL,
                    source TEXT NOT NULL,
                    on_premises_account TEXT NOT NULL,
                    body BYTEA NOT NULL
                )
                """,
                """
                CREATE TABLE messages (
                    account TEXT NOT NULL,
                    wamid TEXT NOT NULL,
                    phone_number_id TEXT,
                    recipient_id TEXT,
                    recipient_participant_id TEXT,
                    recipient_user_id TEXT,
                    recipient_country_code TEXT,
                    is_group BOOLEAN NOT NULL,
                    callback_data TEXT,
                    sent_at BIGINT,
                    delivered_at BIGINT,
                    read_at BIGINT,
                    failed_at BIGINT,
                    error_code BIGINT,
                    pricing_model TEXT,
                    pricing_type TEXT,
                    pricing_category TEXT,
                    pricing_billable BOOLEAN,
                    pricing_subtype TEXT,
                    pricing_key BIGINT,
                    cost_amount TEXT,
                    cost_currency TEXT,
                    cost_at BIGINT,
                    conversation_id TEXT,
                    conversation_origin TEXT,
                    conversation_expires_at BIGINT,
                    conversation_key BIGINT,
                    PRIMARY KEY (account, wamid)
                )
                """,
                // Pending and dropped counts: sent, neither delivered nor failed, not a group message
                // (its deliveries are per-member records).
                """
                CREATE INDEX messages_undelivered ON messages (account, sent_at)
                    WHERE delivered_at IS NULL AND failed_at IS NULL AND NOT is_group
                """,
                // Messages that may count toward volume tiers, read in delivery order when a pool
                // passes a tier boundary.
                """
                CREATE INDEX messages_tiered ON messages (account, delivered_at)
                    WHERE pricing_category IN ('utility', 'authentication', 'authentication_international')
                """,
                // Messages whose webhook carried their price (max-price Marketing Messages API).
                "CREATE INDEX messages_webhook_priced ON messages (account, delivered_at) WHERE cost_amount IS NOT NULL",
                """
                CREATE TABLE conversations (
                    account TEXT NOT NULL,
                    conversation_id TEXT NOT NULL,
                    first_sent_at BIGINT,
                    first_delivered_at BIGINT,
                    category TEXT,
                    category_key BIGINT,
                    recipient_number TEXT,
                    recipient_country_code TEXT,
                    is_free_entry_point BOOLEAN NOT NULL,
                    PRIMARY KEY (account, conversation_id)
                )
                """,
                // Free tier: the first N conversations of a month by first delivery.
                """
                CREATE INDEX conversations_delivered ON conversations (account, first_delivered_at)
                    WHERE first_delivered_at IS NOT NULL
                """,
                """
                CREATE INDEX conversations_undelivered ON conversations (account, first_sent_at)
                    WHERE first_delivered_at IS NULL
                """,
                """
                CREATE TABLE inbound_messages (
                    account TEXT NOT NULL,
                    wamid TEXT NOT NULL,
                    phone_number_id TEXT,
                    sender TEXT,
                    sender_country_code TEXT,
                    received_at BIGINT NOT NULL,
                    type TEXT,
                    has_referral BOOLEAN NOT NULL,
                    PRIMARY KEY (account, wamid)
                )
                """,
                // Counters per account-local day; equal to the sum of the records' contributions.
                """
                CREATE TABLE rollups (
                    account TEXT NOT NULL,
                    day BIGINT NOT NULL,
                    metric BIGINT NOT NULL,
                    category TEXT NOT NULL,
                    country TEXT NOT NULL,
                    count BIGINT NOT NULL,
                    PRIMARY KEY (account, day, metric, category, country)
                )
                """,
                """
                CREATE TABLE rates (
                    effective_from BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    market TEXT NOT NULL,
                    category TEXT NOT NULL,
                    rate TEXT NOT NULL,
                    PRIMARY KEY (effective_from, currency, market, category)
                )
                """,
                """
                CREATE TABLE rate_tiers (
                    effective_from BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    market TEXT NOT NULL,
                    category TEXT NOT NULL,
                    volume_from BIGINT NOT NULL,
                    volume_to BIGINT,
                    rate TEXT NOT NULL,
                    PRIMARY KEY (effective_from, currency, market, category, volume_from)
                )
                """,
                """
                CREATE TABLE tier_updates (
                    account TEXT NOT NULL,
                    effective_month TEXT NOT NULL,
                    region TEXT NOT NULL,
                    pricing_category TEXT NOT NULL,
                    tier TEXT NOT NULL,
                    tier_update_time BIGINT NOT NULL,
                    PRIMARY KEY (account, effective_month, region, pricing_category, tier)
                )
                """,
            ]),
        Migration(
            name: "v2: messages by conversation",
            statements: [
                // Recounting a conversation that a message left reads its messages by conversation
                // id (LedgerMerger.conversationsToRecount); only messages that may count a
                // conversation are in it (LedgerSQL.mayCountConversation).
                """
                CREATE INDEX messages_conversation ON messages (account, conversation_id)
                    WHERE conversation_id IS NOT NULL AND (pricing_model = 'CBP' OR pricing_model IS NULL)
                """
            ]),
        // Counters gain the business phone number and conversations the number they are on; a
        // group message whose own `sent` status never came is counted as sent by its first member's
        // status (MessageRecord.impliedGroupSend). Both are derived: the archive is replayed.
        Migration(
            name: "v3: counters by phone number, group messages sent once",
            statements: [
                "DROP TABLE rollups",
                """
                CREATE TABLE rollups (
                    account TEXT NOT NULL,
                    day BIGINT NOT NULL,
                    metric BIGINT NOT NULL,
                    phone TEXT NOT NULL,
                    category TEXT NOT NULL,
                    country TEXT NOT NULL,
                    count BIGINT NOT NULL,
                    PRIMARY KEY (account, day, metric, phone, category, country)
                )
                """,
                "ALTER TABLE conversations ADD COLUMN phone_number_id TEXT",
            ],
            rebuildsLedger: true),
        // Delivered free messages are counted by why they are free (free entry point, customer
        // service), for the insights' pricing type: new counters, derived from the archive.
        Migration(name: "v4: free messages counted by pricing type", statements: [], rebuildsLedger: true),
        // Meta's analytics name phone numbers by display number; webhooks carry it in `metadata`.
        Migration(
            name: "v5: display numbers of business phone numbers",
            statements: [
                """
                CREATE TABLE phone_numbers (
                    account TEXT NOT NULL,
                    phone_number_id TEXT NOT NULL,
                    display_number TEXT NOT NULL,
                    PRIMARY KEY (account, phone_number_id, display_number)
                )
                """
            ],
            rebuildsLedger: true),
        // Imported rates become cards over the built-in history (see SQLite's v7).
        Migration(
            name: "v6: rate cards, whole or patch",
            statements: [
                """
                CREATE TABLE rate_cards (
                    currency TEXT NOT NULL,
                    effective_from BIGINT NOT NULL,
                    product TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    imported_at BIGINT NOT NULL,
                    PRIMARY KEY (currency, effective_from, product)
                )
                """,
                """
                INSERT INTO rate_cards (currency, effective_from, product, kind, imported_at)
                    SELECT DISTINCT currency, effective_from, 'messaging', 'whole', extract(epoch FROM now())::BIGINT
                    FROM rates
                """,
                """
                INSERT INTO rate_cards (currency, effective_from, product, kind, imported_at)
                    SELECT DISTINCT currency, effective_from, 'messaging', 'patch', extract(epoch FROM now())::BIGINT
                    FROM rate_tiers
                    ON CONFLICT DO NOTHING
                """,
            ],
            rebuildsLedger: false),
        // Only the SHA-256 of a token's secret is kept (see SQLite's v8).
        Migration(
            name: "v7: scoped API tokens",
            statements: [
                """
                CREATE TABLE api_tokens (
                    name TEXT PRIMARY KEY,
                    token_hash TEXT NOT NULL UNIQUE,
                    scope_kind TEXT NOT NULL,
                    scope_value TEXT,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT,
                    last_used_at BIGINT
                )
                """
            ],
            rebuildsLedger: false),
        // Calls and echoed messages; see SQLite's v9. Replays the archive.
        Migration(
            name: "v8: voice calls, app and agent messages",
            statements: [
                """
                CREATE TABLE calls (
                    account TEXT NOT NULL,
                    call_id TEXT NOT NULL,
                    phone_number_id TEXT,
                    direction TEXT,
                    user_number TEXT,
                    user_country_code TEXT,
                    first_event_at BIGINT,
                    start_time BIGINT,
                    end_time BIGINT,
                    duration BIGINT,
                    outcome TEXT,
                    progress TEXT,
                    error_code BIGINT,
                    callback_data TEXT,
                    placed_at BIGINT,
                    PRIMARY KEY (account, call_id)
                )
                """,
                "CREATE INDEX calls_placed ON calls (account, placed_at)",
                """
                CREATE TABLE echo_messages (
                    account TEXT NOT NULL,
                    wamid TEXT NOT NULL,
                    phone_number_id TEXT,
                    recipient TEXT,
                    recipient_country_code TEXT,
                    sent_at BIGINT NOT NULL,
                    type TEXT,
                    sender TEXT NOT NULL,
                    PRIMARY KEY (account, wamid)
                )
                """,
            ],
            rebuildsLedger: true),
        // The insights' `half_hour` granularity (and Meta's HALF_HOUR): the counters by the UTC
        // half-hour of the counted event as well as its local day, a column per metric. Derived.
        Migration(
            name: "v9: counters by half-hour",
            statements: [CounterTable.halfHourly.createTable(integer: "BIGINT", withoutRowID: false)],
            rebuildsLedger: true),
        // The day counters in the same layout: a row per cell with a column per metric. Derived.
        Migration(
            name: "v10: day counters, a column per metric",
            statements: ["DROP TABLE rollups", CounterTable.daily.createTable(integer: "BIGINT", withoutRowID: false)],
            rebuildsLedger: true),
        // Drift reports with Meta's analytics; see SQLite's v12. Not derived.
        Migration(
            name: "v11: reconciliations with Meta",
            statements: [
                """
                CREATE TABLE reconciliations (
                    account TEXT NOT NULL,
                    month TEXT NOT NULL,
                    checked_at BIGINT NOT NULL,
                    agrees BOOLEAN NOT NULL,
                    differences BIGINT NOT NULL,
                    body TEXT NOT NULL,
                    PRIMARY KEY (account, month, checked_at)
                )
                """,
                "CREATE INDEX reconciliations_checked ON reconciliations (checked_at)",
            ],
            rebuildsLedger: false),
        // Budgets, alerts and the outbox of their deliveries; see SQLite's v13. Not derived.
        Migration(
            name: "v12: budgets and alerts",
            statements: [
                """
                CREATE TABLE budgets (
                    scope_kind TEXT NOT NULL,
                    scope_value TEXT NOT NULL,
                    monthly TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    alert_at TEXT NOT NULL,
                    notify TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (scope_kind, scope_value)
                )
                """,
                """
                CREATE TABLE alerts (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    account TEXT,
                    portfolio TEXT,
                    month TEXT,
                    raised_at BIGINT NOT NULL,
                    body TEXT NOT NULL
                )
                """,
                "CREATE INDEX alerts_raised ON alerts (raised_at)",
                """
                CREATE TABLE alert_deliveries (
                    alert_id TEXT NOT NULL,
                    url TEXT NOT NULL,
                    format TEXT NOT NULL,
                    attempts BIGINT NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT NOT NULL,
                    lease_until BIGINT NOT NULL DEFAULT 0,
                    delivered_at BIGINT,
                    abandoned BOOLEAN NOT NULL DEFAULT FALSE,
                    last_error TEXT,
                    PRIMARY KEY (alert_id, url, format)
                )
                """,
                """
                CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at)
                WHERE delivered_at IS NULL AND NOT abandoned
                """,
            ],
            rebuildsLedger: false),
    ]

    /// Applies the migrations not yet applied (up to and including `last`, for tests that make an
    /// older database). Safe to run from several processes at once.
    static func migrate(
        _ connection: PostgresConnection, schema: String?, logger: Logger, upTo last: String? = nil,
        rebuildLedger: (PostgresConnection) async throws -> Void
    ) async throws {
        try await connection.query(
            "SELECT pg_advisory_xact_lock(\(PostgresLocks.migrations(schema: schema)))", logger: logger)
        if let schema {
            // The name was checked to be a plain identifier when the settings were read.
            try await connection.query(
                PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
        }
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS wameter_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)
            """, logger: logger)
        var applied: Set<String> = []
        for try await name in try await connection.query("SELECT name FROM wameter_migrations", logger: logger)
            .decode(String.self)
        {
            applied.insert(name)
        }
        // The replay runs the current code, which writes the current schema: once, after the last
        // migration, in the same transaction.
        var rebuild = false
        for migration in migrations where !applied.contains(migration.name) {
            logger.info("applying PostgreSQL migration", metadata: ["migration": .string(migration.name)])
            for statement in migration.statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            rebuild = rebuild || migration.rebuildsLedger
            try await connection.query(
                "INSERT INTO wameter_migrations (name, applied_at) VALUES (\(migration.name), now())", logger: logger)
            if migration.name == last { break }
        }
        if rebuild { try await rebuildLedger(connection) }
    }
}

/// Advisory-lock keys, per schema so that two ledgers in one database do not share them.
enum PostgresLocks {
    /// Held exclusively while migrating.
    static func migrations(schema: String?) -> Int64 { key("wameter.migrations", schema) }

    /// Held shared by every ingest and exclusively by whatever rewrites the ledger as a whole
    /// (rebuild, an account's time zone change), so those never interleave with an ingest.
    static func ledger(schema: String?) -> Int64 { key("wameter.ledger", schema) }

    /// FNV-1a: stable across processes and releases (Swift's `Hasher` is seeded per process).
    private static func key(_ name: String, _ schema: String?) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (name + "/" + (schema ?? "")).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
