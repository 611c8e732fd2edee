#include "CSQLiteSettings.h"

#include <sqlite3.h>

static int configuration = -1;

// Runs when the program (or test bundle) loads: before main, so before any thread can open a
// connection and initialise SQLite with its defaults.
__attribute__((constructor)) static void configure_process(void) {
    configuration = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (configuration == SQLITE_OK) {
        configuration = sqlite3_initialize();
    }
}

int wameter_sqlite_process_configuration(void) {
    return configuration;
}
