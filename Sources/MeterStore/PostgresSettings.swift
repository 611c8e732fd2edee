import Foundation
import NIOSSL
import PostgresNIO

/// Connection settings for the PostgreSQL store, read from a `postgres://` URL:
///
///     postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=require&pool_size=20&schema=wameter
///
/// Query parameters (all optional):
/// - `sslmode`: `disable`, `prefer` (the default, as libpq), `require` (encrypted, certificate not
///   checked), `verify-ca` (certificate checked against the roots) or `verify-full` (and the host
///   name).
/// - `sslrootcert`: a PEM file of trusted roots for `verify-ca` and `verify-full` (default: the
///   system's).
/// - `pool_size`: most connections this process opens (default 10).
/// - `connect_timeout`: seconds to wait for a TCP connection (default 10).
/// - `operation_timeout`: seconds a store call may wait for the database, connection included,
///   before it fails (a webhook then gets 503; default 10).
/// - `schema`: keep wameter's tables in this schema, created if missing (default: the user's
///   `search_path`, normally `public`).
public struct PostgresSettings: Sendable, Equatable {
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var sslMode: SSLMode = .prefer
    public var sslRootCertificate: String?
    public var poolSize = 10
    public var connectTimeout: Duration = .seconds(10)
    public var operationTimeout: Duration = .seconds(10)
    public var schema: String?

    /// True for the strings this parser is for (`postgres://` and `postgresql://`).
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String?) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses a URL; the error names what is wrong (never the password).
    public init(url text: String) throws(PostgresSettingsError) {
        guard Self.isPostgresURL(text), let components = URLComponents(string: text) else {
            throw PostgresSettingsError("not a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresSettingsError("the URL names no host") }
        guard let user = components.user, !user.isEmpty else { throw PostgresSettingsError("the URL names no user") }
        // `user`, `password` and `path` come percent-decoded.
        self.init(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: components.path.count > 1 ? String(components.path.dropFirst()) : nil)
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw PostgresSettingsError(
                        "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert":
                sslRootCertificate = value
            case "pool_size":
                guard let size = Int(value), (1...1_000).contains(size) else {
                    throw PostgresSettingsError("pool_size must be a whole number from 1 to 1000")
                }
                poolSize = size
            case "connect_timeout":
                connectTimeout = try Self.seconds(value, name: item.name)
            case "operation_timeout":
                operationTimeout = try Self.seconds(value, name: item.name)
            case "schema":
                guard Self.isPlainIdentifier(value) else {
                    throw PostgresSettingsError("schema must be letters, digits and _ (not starting with a digit)")
                }
                schema = value
            default:
                throw PostgresSettingsError(
                    "unknown parameter \(item.name) (known: sslmode, sslrootcert, pool_size, connect_timeout, "
                        + "operation_timeout, schema)")
            }
        }
    }

    /// The URL with the password masked, for logs and messages; it names every setting that is not
    /// the default, so it connects the same way (given the password).
    public var redacted: String {
        var parameters: [String] = []
        if sslMode != .prefer { parameters.append("sslmode=\(sslMode.rawValue)") }
        if let sslRootCertificate { parameters.append("sslrootcert=\(sslRootCertificate)") }
        if poolSize != 10 { parameters.append("pool_size=\(poolSize)") }
        if connectTimeout != .seconds(10) { parameters.append("connect_timeout=\(Self.seconds(connectTimeout))") }
        if operationTimeout != .seconds(10) {
            parameters.append("operation_timeout=\(Self.seconds(operationTimeout))")
        }
        if let schema { parameters.append("schema=\(schema)") }
        return "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database ?? "")"
            + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }

    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1_000 == 0 ? "\(milliseconds / 1_000)" : "\(Double(milliseconds) / 1_000)"
    }

    private static func seconds(_ value: String, name: String) throws(PostgresSettingsError) -> Duration {
        guard let seconds = Double(value), seconds > 0, seconds <= 3_600 else {
            throw PostgresSettingsError("\(name) must be a number of seconds from 0 to 3600")
        }
        return .milliseconds(Int64(seconds * 1_000))
    }

    static func isPlainIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !text.isEmpty, text.count <= 63 else { return false }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789_")
        return !CharacterSet.decimalDigits.contains(first) && text.unicodeScalars.allSatisfy(allowed.contains)
    }

    /// The PostgresNIO client configuration these settings describe.
    public func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: try tls())
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = connectTimeout
        if let schema {
            // Every connection resolves unqualified table names in the schema first.
            configuration.options.additionalStartupParameters = [("options", "-c search_path=\(schema)")]
        }
        return configuration
    }

    /// The configuration of one direct connection with these settings (to check them at start).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration()))
        default: tls = .require(try NIOSSLContext(configuration: tlsConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .nanoseconds(
            connectTimeout.components.seconds * 1_000_000_000 + connectTimeout.components.attoseconds / 1_000_000_000)
        return configuration
    }

    private func tls() throws -> PostgresClient.Configuration.TLS {
        switch sslMode {
        case .disable: .disable
        case .prefer: .prefer(tlsConfiguration())
        default: .require(tlsConfiguration())
        }
    }

    private func tlsConfiguration() -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable, .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let sslRootCertificate { tls.trustRoots = .file(sslRootCertificate) }
        return tls
    }
}

public struct PostgresSettingsError: Error, CustomStringConvertible, Equatable {
    public var description: String

    init(_ description: String) { self.description = description }
}
