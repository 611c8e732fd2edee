/// The schema versions this build writes, named by their last migration (`v6` of
/// `v6: display numbers of business phone numbers`), for `wameter --version`: they tell an operator
/// which migrations an upgrade will run.
public enum SchemaVersions {
    public static var sqlite: String { version(of: SQLiteSchema.migrator.migrations.last) }
    public static var postgres: String { version(of: PostgresSchema.migrations.last?.name) }

    private static func version(of name: String?) -> String {
        String((name ?? "none").prefix { $0 != ":" })
    }
}
