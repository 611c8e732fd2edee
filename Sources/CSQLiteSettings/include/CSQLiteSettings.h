#ifndef CSQLITESETTINGS_H
#define CSQLITESETTINGS_H

/// Process-wide SQLite settings, made when the program loads, before any connection can exist:
/// `sqlite3_config` is variadic (Swift does not call it) and must precede SQLite's initialisation.
///
/// They turn off SQLite's memory statistics: with them on, every allocation and free inside SQLite
/// takes one process-wide mutex (about 8% of a file's ingest time, measured). wameter never reads
/// the statistics (`sqlite3_memory_used`, `sqlite3_status`).
///
/// Returns SQLite's result code of making them: SQLITE_OK, or SQLITE_MISUSE when something
/// initialised SQLite earlier still (then nothing changed, and SQLite works as before).
int wameter_sqlite_process_configuration(void);

#endif
