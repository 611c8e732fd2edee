import MeterStore

/// What `wameter --version` prints: the release (raise it with every release) and the schema
/// versions it migrates a database to.
enum WameterVersion {
    static let release = "0.6.0"

    static var description: String {
        "wameter \(release) (SQLite schema \(SchemaVersions.sqlite), PostgreSQL schema \(SchemaVersions.postgres))"
    }
}
