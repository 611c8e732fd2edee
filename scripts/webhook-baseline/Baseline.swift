// The server benchmark's baseline, not part of wameter (issue 18): what a hand-rolled webhook
// receiver does per request, done plainly: read the body, verify `X-Hub-Signature-256`, insert the
// raw body as one SQLite row in its own transaction (`synchronous=FULL`, a GRDB pool), answer 200.
// No decoding, no ledger, no group commit. `GET /noop` answers 200 and touches nothing.
//
//   WAMETER_APP_SECRET=S webhook-baseline PORT DATABASE
//
// `scripts/bench-server.sh` runs it beside `wameter serve` with the same bodies.
import Crypto
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Logging

@main
struct WebhookBaseline {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let port = Int(arguments[1]),
            let secret = ProcessInfo.processInfo.environment["WAMETER_APP_SECRET"]
        else {
            FileHandle.standardError.write(Data("usage: WAMETER_APP_SECRET=S webhook-baseline PORT DATABASE\n".utf8))
            exit(2)
        }
        let pool = try DatabasePool(path: arguments[2])
        // On the writer, after the pool has set WAL mode with `synchronous = NORMAL` (which undoes
        // the setting in a configuration's `prepareDatabase`): every commit synced, as durable as
        // wameter's.
        try await pool.barrierWriteWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try await pool.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS bodies (
                        id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, body BLOB NOT NULL)
                    """)
        }
        let secretBytes = Data(secret.utf8)
        let signatureHeader = HTTPField.Name("X-Hub-Signature-256")!

        let router = Router()
        router.post("webhook") { request, _ -> HTTPResponse.Status in
            let body = Data(buffer: try await request.body.collect(upTo: 3 << 20))
            guard let code = signature(request.headers[signatureHeader]),
                HMAC<SHA256>.isValidAuthenticationCode(
                    code, authenticating: body, using: SymmetricKey(data: secretBytes))
            else { return .unauthorized }
            try await pool.write { db in
                try db.execute(
                    sql: "INSERT INTO bodies (received_at, body) VALUES (?, ?)",
                    arguments: [Int64(Date().timeIntervalSince1970), body])
            }
            return .ok
        }
        router.get("noop") { _, _ -> HTTPResponse.Status in .ok }
        var logger = Logger(label: "webhook-baseline")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await app.runService()
    }

    /// The signature header's hex digits as bytes, or nil.
    static func signature(_ header: String?) -> [UInt8]? {
        guard let header, header.hasPrefix("sha256="), header.utf8.count == 71 else { return nil }
        var bytes: [UInt8] = []
        var high: UInt8?
        for character in header.utf8.dropFirst(7) {
            guard let nibble = UInt8(String(UnicodeScalar(character)), radix: 16) else { return nil }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}
