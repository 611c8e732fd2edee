import MeterStore
import Testing

@Suite("PostgreSQL connection URLs")
struct PostgresSettingsTests {
    @Test("a full URL: user, percent-encoded password, host, port, database and every parameter")
    func full() throws {
        let settings = try PostgresSettings(
            url: "postgres://meter:p%40ss%2Fword@db.internal:6432/ledger?sslmode=verify-full&sslrootcert=/etc/ca.pem"
                + "&pool_size=25&connect_timeout=3&operation_timeout=2.5&schema=wameter")
        #expect(settings.username == "meter")
        #expect(settings.password == "p@ss/word")
        #expect(settings.host == "db.internal")
        #expect(settings.port == 6432)
        #expect(settings.database == "ledger")
        #expect(settings.sslMode == .verifyFull)
        #expect(settings.sslRootCertificate == "/etc/ca.pem")
        #expect(settings.poolSize == 25)
        #expect(settings.connectTimeout == .seconds(3))
        #expect(settings.operationTimeout == .milliseconds(2_500))
        #expect(settings.schema == "wameter")
        #expect(
            settings.redacted
                == "postgres://meter:***@db.internal:6432/ledger?sslmode=verify-full&sslrootcert=/etc/ca.pem"
                + "&pool_size=25&connect_timeout=3&operation_timeout=2.5&schema=wameter")
        #expect(try PostgresSettings(url: settings.redacted.replacingOccurrences(of: "***", with: "x")).poolSize == 25)
    }

    @Test("defaults: port 5432, sslmode prefer, 10 connections, 10-second timeouts; postgresql:// too")
    func defaults() throws {
        let settings = try PostgresSettings(url: "postgresql://meter@localhost/ledger")
        #expect(settings.port == 5432)
        #expect(settings.password == nil)
        #expect(settings.sslMode == .prefer)
        #expect(settings.poolSize == 10)
        #expect(settings.operationTimeout == .seconds(10))
        #expect(settings.schema == nil)
    }

    @Test(
        "bad URLs are refused with the reason",
        arguments: [
            ("postgres://localhost/ledger", "names no user"),
            ("postgres://meter@/ledger", "names no host"),
            ("postgres://meter@localhost/ledger?sslmode=always", "sslmode must be one of"),
            ("postgres://meter@localhost/ledger?pool_size=0", "pool_size must be"),
            ("postgres://meter@localhost/ledger?operation_timeout=-1", "operation_timeout must be"),
            ("postgres://meter@localhost/ledger?schema=drop%20table", "schema must be"),
            ("postgres://meter@localhost/ledger?sslcert=x", "unknown parameter sslcert"),
        ])
    func refused(url: String, reason: String) {
        #expect {
            try PostgresSettings(url: url)
        } throws: { error in
            String(describing: error).contains(reason)
        }
    }
}
