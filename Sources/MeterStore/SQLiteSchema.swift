import GRDB
import MeterCore
import WhatsAppWebhook

/// The SQLite schema, owned by the store and applied by its migrator (GRDB's demo-app pattern).
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE accounts (
                        id TEXT PRIMARY KEY,
                        name TEXT,
                        timezone TEXT NOT NULL,
                        currency TEXT NOT NULL,
                        portfolio TEXT,
                        auto_created INTEGER NOT NULL DEFAULT 0
                    );

                    -- The source of truth: every body as received, retries included. Append-only, so
                    -- inserts are sequential; everything below can be rebuilt from it.
                    CREATE TABLE raw_bodies (
                        id INTEGER PRIMARY KEY,
                        received_at INTEGER NOT NULL,
                        source TEXT NOT NULL,
                        on_premises_account TEXT NOT NULL,
                        body BLOB NOT NULL
                    );

                    -- A rowid table with a narrow unique index rather than WITHOUT ROWID: statuses of a
                    -- message arrive soon after it is sent, so updates hit recent pages, and only the
                    -- small index takes the random wamid inserts.
                    CREATE TABLE messages (
                        id INTEGER PRIMARY KEY,
                        account TEXT NOT NULL,
                        wamid TEXT NOT NULL,
                        phone_number_id TEXT,
                        recipient_id TEXT,
                        recipient_participant_id TEXT,
                        recipient_user_id TEXT,
                        recipient_country_code TEXT,
                        is_group INTEGER NOT NULL,
                        callback_data TEXT,
                        sent_at INTEGER,
                        delivered_at INTEGER,
                        read_at INTEGER,
                        failed_at INTEGER,
                        error_code INTEGER,
                        pricing_model TEXT,
                        pricing_type TEXT,
                        pricing_category TEXT,
                        pricing_billable INTEGER,
                        pricing_subtype TEXT,
                        pricing_key INTEGER,
                        cost_amount TEXT,
                        cost_currency TEXT,
                        cost_at INTEGER,
                        conversation_id TEXT,
                        conversation_origin TEXT,
                        conversation_expires_at INTEGER,
                        conversation_key INTEGER
                    );
                    CREATE UNIQUE INDEX messages_key ON messages (account, wamid);
                    -- Pending and dropped counts: sent, neither delivered nor failed.
                    CREATE INDEX messages_undelivered ON messages (account, sent_at)
                        WHERE delivered_at IS NULL AND failed_at IS NULL;

                    CREATE TABLE conversations (
                        id INTEGER PRIMARY KEY,
                        account TEXT NOT NULL,
                        conversation_id TEXT NOT NULL,
                        first_sent_at INTEGER,
                        first_delivered_at INTEGER,
                        category TEXT,
                        category_key INTEGER,
                        recipient_number TEXT,
                        recipient_country_code TEXT,
                        is_free_entry_point INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX conversations_key ON conversations (account, conversation_id);
                    -- Free tier: the first N conversations of a month by first delivery.
                    CREATE INDEX conversations_delivered ON conversations (account, first_delivered_at)
                        WHERE first_delivered_at IS NOT NULL;
                    CREATE INDEX conversations_undelivered ON conversations (account, first_sent_at)
                        WHERE first_delivered_at IS NULL;

                    CREATE TABLE inbound_messages (
                        id INTEGER PRIMARY KEY,
                        account TEXT NOT NULL,
                        wamid TEXT NOT NULL,
                        phone_number_id TEXT,
                        sender TEXT,
                        sender_country_code TEXT,
                        received_at INTEGER NOT NULL,
                        type TEXT,
                        has_referral INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX inbound_messages_key ON inbound_messages (account, wamid);

                    -- Counters per account-local day; equal to the sum of the records' contributions.
                    CREATE TABLE rollups (
                        account TEXT NOT NULL,
                        day INTEGER NOT NULL,
                        metric INTEGER NOT NULL,
                        category TEXT NOT NULL,
                        country TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        PRIMARY KEY (account, day, metric, category, country)
                    ) WITHOUT ROWID;

                    CREATE TABLE rates (
                        effective_from INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        market TEXT NOT NULL,
                        category TEXT NOT NULL,
                        rate TEXT NOT NULL,
                        PRIMARY KEY (effective_from, currency, market, category)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2: volume tiers, tier updates, group deliveries per member") { db in
            try db.execute(
                sql: """
                    -- Volume-tier tables: the tiers with one (effective_from, currency, market, category)
                    -- form one table and are replaced together.
                    CREATE TABLE rate_tiers (
                        effective_from INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        market TEXT NOT NULL,
                        category TEXT NOT NULL,
                        volume_from INTEGER NOT NULL,
                        volume_to INTEGER,
                        rate TEXT NOT NULL,
                        PRIMARY KEY (effective_from, currency, market, category, volume_from)
                    ) WITHOUT ROWID;

                    -- Meta's VOLUME_BASED_PRICING_TIER_UPDATE webhooks, each distinct one at its
                    -- earliest announcement.
                    CREATE TABLE tier_updates (
                        account TEXT NOT NULL,
                        effective_month TEXT NOT NULL,
                        region TEXT NOT NULL,
                        pricing_category TEXT NOT NULL,
                        tier TEXT NOT NULL,
                        tier_update_time INTEGER NOT NULL,
                        PRIMARY KEY (account, effective_month, region, pricing_category, tier)
                    ) WITHOUT ROWID;

                    -- Messages that may count toward volume tiers, by delivery: read in delivery
                    -- order when a pool passes a tier boundary.
                    CREATE INDEX messages_tiered ON messages (account, delivered_at)
                        WHERE pricing_category IN ('utility', 'authentication', 'authentication_international');
                    -- Pending and dropped counts leave out group messages (their deliveries are per
                    -- member records); the condition is in the index so the count reads the index only.
                    DROP INDEX messages_undelivered;
                    CREATE INDEX messages_undelivered ON messages (account, sent_at)
                        WHERE delivered_at IS NULL AND failed_at IS NULL AND is_group = 0;
                    -- Messages whose webhook carried their price (max-price Marketing Messages API).
                    CREATE INDEX messages_webhook_priced ON messages (account, delivered_at)
                        WHERE cost_amount IS NOT NULL;
                    """)
            // Group deliveries are now one record per member, and tier updates are kept: both come
            // from the archive, so the derived tables are rebuilt from it.
            try requestRebuild(db)
        }
        migrator.registerMigration("v3: messages by conversation") { db in
            // Recounting a conversation that a message left reads its messages by conversation id
            // (LedgerMerger.conversationsToRecount); only messages that may count a conversation are
            // in it (LedgerSQL.mayCountConversation).
            try db.execute(
                sql: """
                    CREATE INDEX messages_conversation ON messages (account, conversation_id)
                        WHERE conversation_id IS NOT NULL AND (pricing_model = 'CBP' OR pricing_model IS NULL);
                    """)
        }
        migrator.registerMigration("v4: counters by phone number, group messages sent once") { db in
            // Counters gain the business phone number (breakdowns and `by_phone_number`), and
            // conversations the number they are on; a group message whose own `sent` status never came
            // is counted as sent by its first member's status (MessageRecord.impliedGroupSend). Both
            // are derived, so the archive is replayed under the new rules.
            try db.execute(
                sql: """
                    DROP TABLE rollups;
                    CREATE TABLE rollups (
                        account TEXT NOT NULL,
                        day INTEGER NOT NULL,
                        metric INTEGER NOT NULL,
                        phone TEXT NOT NULL,
                        category TEXT NOT NULL,
                        country TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        PRIMARY KEY (account, day, metric, phone, category, country)
                    ) WITHOUT ROWID;
                    ALTER TABLE conversations ADD COLUMN phone_number_id TEXT;
                    """)
            try requestRebuild(db)
        }
        migrator.registerMigration("v5: free messages counted by pricing type") { db in
            // Delivered free messages are counted by why they are free (free entry point, customer
            // service), for the insights' pricing type: new counters, derived, so the archive is
            // replayed.
            try requestRebuild(db)
        }
        migrator.registerMigration("v6: display numbers of business phone numbers") { db in
            // Meta's analytics name phone numbers by display number; webhooks carry it in
            // `metadata`. Derived: the archive is replayed to learn the numbers already received.
            try db.execute(
                sql: """
                    CREATE TABLE phone_numbers (
                        account TEXT NOT NULL,
                        phone_number_id TEXT NOT NULL,
                        display_number TEXT NOT NULL,
                        PRIMARY KEY (account, phone_number_id, display_number)
                    ) WITHOUT ROWID;
                    """)
            try requestRebuild(db)
        }
        migrator.registerMigration("v7: rate cards, whole or patch") { db in
            // Imported rates become cards (one per currency, effective day and product: messaging,
            // or business-initiated calling from now on) over the built-in
            // history. Rows imported before are whole cards, or patches when they are tier tables
            // alone, so tiers imported by themselves never end a card's rates.
            try db.execute(
                sql: """
                    CREATE TABLE rate_cards (
                        currency TEXT NOT NULL,
                        effective_from INTEGER NOT NULL,
                        product TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        imported_at INTEGER NOT NULL,
                        PRIMARY KEY (currency, effective_from, product)
                    ) WITHOUT ROWID;
                    INSERT INTO rate_cards (currency, effective_from, product, kind, imported_at)
                        SELECT DISTINCT currency, effective_from, 'messaging', 'whole',
                            CAST(strftime('%s', 'now') AS INTEGER)
                        FROM rates;
                    INSERT OR IGNORE INTO rate_cards (currency, effective_from, product, kind, imported_at)
                        SELECT DISTINCT currency, effective_from, 'messaging', 'patch',
                            CAST(strftime('%s', 'now') AS INTEGER)
                        FROM rate_tiers;
                    """)
        }
        migrator.registerMigration("v8: scoped API tokens") { db in
            // Only the SHA-256 of a token's secret is kept (APITokenSecret); requests look tokens
            // up by it.
            try db.execute(
                sql: """
                    CREATE TABLE api_tokens (
                        name TEXT PRIMARY KEY,
                        token_hash TEXT NOT NULL UNIQUE,
                        scope_kind TEXT NOT NULL,
                        scope_value TEXT,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER,
                        last_used_at INTEGER
                    );
                    """)
        }
        migrator.registerMigration("v9: voice calls, app and agent messages") { db in
            // One row per (account, call id): the join of its events and statuses (CallRecord).
            // `placed_at` (when it was picked up, else its first event) places it in a month. And one
            // row per message echoed from the Business app or the Business Agent (EchoRecord),
            // counted by new rollup metrics. Derived: the archive is replayed, so calls and echoes
            // received before (archived as other changes) count.
            try db.execute(
                sql: """
                    CREATE TABLE calls (
                        id INTEGER PRIMARY KEY,
                        account TEXT NOT NULL,
                        call_id TEXT NOT NULL,
                        phone_number_id TEXT,
                        direction TEXT,
                        user_number TEXT,
                        user_country_code TEXT,
                        first_event_at INTEGER,
                        start_time INTEGER,
                        end_time INTEGER,
                        duration INTEGER,
                        outcome TEXT,
                        progress TEXT,
                        error_code INTEGER,
                        callback_data TEXT,
                        placed_at INTEGER
                    );
                    CREATE UNIQUE INDEX calls_key ON calls (account, call_id);
                    CREATE INDEX calls_placed ON calls (account, placed_at);
                    CREATE TABLE echo_messages (
                        id INTEGER PRIMARY KEY,
                        account TEXT NOT NULL,
                        wamid TEXT NOT NULL,
                        phone_number_id TEXT,
                        recipient TEXT,
                        recipient_country_code TEXT,
                        sent_at INTEGER NOT NULL,
                        type TEXT,
                        sender TEXT NOT NULL
                    );
                    CREATE UNIQUE INDEX echo_messages_key ON echo_messages (account, wamid);
                    """)
            try requestRebuild(db)
        }
        migrator.registerMigration("v10: counters by half-hour") { db in
            // The insights' `half_hour` granularity (and Meta's HALF_HOUR): the counters by the UTC
            // half-hour of the counted event as well as its local day (a half-hour at a 45-minute
            // offset spans two days), a column per metric (CounterTable). Derived: the archive
            // is replayed.
            try db.execute(sql: CounterTable.halfHourly.createTable(integer: "INTEGER", withoutRowID: true))
            try requestRebuild(db)
        }
        migrator.registerMigration("v11: day counters, a column per metric") { db in
            // The day counters in the half-hour counters' layout: a row per cell with a column per
            // metric instead of a row per metric (a third of the rows to write and to read).
            // Derived: the archive is replayed.
            try db.execute(sql: "DROP TABLE rollups")
            try db.execute(sql: CounterTable.daily.createTable(integer: "INTEGER", withoutRowID: true))
            try requestRebuild(db)
        }
        migrator.registerMigration("v12: reconciliations with Meta") { db in
            // The drift reports of `wameter reconcile --save` and serve's daily run, as rendered
            // (ReconciliationJSON), listed by account, month and time. Not derived: the archive does
            // not hold Meta's side.
            try db.execute(
                sql: """
                    CREATE TABLE reconciliations (
                        account TEXT NOT NULL,
                        month TEXT NOT NULL,
                        checked_at INTEGER NOT NULL,
                        agrees INTEGER NOT NULL,
                        differences INTEGER NOT NULL,
                        body TEXT NOT NULL,
                        PRIMARY KEY (account, month, checked_at)
                    );
                    CREATE INDEX reconciliations_checked ON reconciliations (checked_at);
                    """)
        }
        migrator.registerMigration("v13: budgets and alerts") { db in
            // Budgets (`wameter budgets`), the alerts raised (one row per occasion, its id), and the
            // outbox of their deliveries: written with the alert in one transaction, sent after,
            // marked when a target answered 2xx, so an alert survives a restart. Not derived.
            try db.execute(
                sql: """
                    CREATE TABLE budgets (
                        scope_kind TEXT NOT NULL,
                        scope_value TEXT NOT NULL,
                        monthly TEXT NOT NULL,
                        currency TEXT NOT NULL,
                        alert_at TEXT NOT NULL,
                        notify TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (scope_kind, scope_value)
                    );
                    CREATE TABLE alerts (
                        id TEXT PRIMARY KEY,
                        kind TEXT NOT NULL,
                        account TEXT,
                        portfolio TEXT,
                        month TEXT,
                        raised_at INTEGER NOT NULL,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX alerts_raised ON alerts (raised_at);
                    CREATE TABLE alert_deliveries (
                        alert_id TEXT NOT NULL,
                        url TEXT NOT NULL,
                        format TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at INTEGER NOT NULL,
                        lease_until INTEGER NOT NULL DEFAULT 0,
                        delivered_at INTEGER,
                        abandoned INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT,
                        PRIMARY KEY (alert_id, url, format)
                    );
                    CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at)
                        WHERE delivered_at IS NULL AND abandoned = 0;
                    """)
        }
        return migrator
    }

    /// Migrates, then replays the archive once if any migration asked for it. A migration only
    /// records the request (in its own transaction): the replay runs the current code, which writes
    /// the current schema, so it must come after the last migration, not in the middle of them. The
    /// request is cleared in the replay's transaction, so a crash in between replays again on the
    /// next open.
    static func migrate(_ writer: any DatabaseWriter) throws {
        try migrator.migrate(writer)
        // Looked up in a read, so an ordinary open (every CLI command) takes no write lock.
        func rebuildRequested(_ db: Database) throws -> Bool {
            try db.tableExists("ledger_rebuild_requests")
                && (try Int.fetchOne(db, sql: "SELECT count(*) FROM ledger_rebuild_requests") ?? 0) > 0
        }
        guard try writer.read(rebuildRequested) else { return }
        try writer.write { db in
            guard try rebuildRequested(db) else { return }
            _ = try SQLiteLedgerStore.rebuildLedger(db, decoder: WebhookDecoder(), dayCaches: DayKeyCaches())
            try db.execute(sql: "DELETE FROM ledger_rebuild_requests")
        }
    }

    /// Asks `migrate` to replay the archive once the migrations are done.
    private static func requestRebuild(_ db: Database) throws {
        try db.execute(sql: "CREATE TABLE IF NOT EXISTS ledger_rebuild_requests (requested INTEGER NOT NULL)")
        try db.execute(sql: "INSERT INTO ledger_rebuild_requests (requested) VALUES (1)")
    }
}
