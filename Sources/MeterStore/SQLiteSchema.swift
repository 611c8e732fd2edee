import GRDB

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
        return migrator
    }
}
