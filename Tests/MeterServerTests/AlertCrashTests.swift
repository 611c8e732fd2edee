import AsyncHTTPClient
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import MeterCore
import MeterStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The alert outbox across a crash, with the real `wameter serve`: the alert is committed, its
/// receiver is down, the server is killed (SIGKILL) before any send succeeded; restarted, it sends
/// the alert, once.
@Suite("Alert outbox across a crash", .serialized)
struct AlertCrashTests {
    @Test("a crash between commit and send still sends the alert exactly once, signed")
    func crashThenSendOnce() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ServerProcess.binary.path), "build wameter first")
        let directory = try TestFiles.directory("alert-crash")
        let database = directory.appendingPathComponent("ledger.sqlite")
        let log = directory.appendingPathComponent("serve.log")
        let now = Int64(Date().timeIntervalSince1970)
        let calendar = BillingCalendar.utc
        let month = YearMonth(containing: calendar.day(of: now))

        let receiver = AlertReceiver()
        // Down, as far as wameter can tell: every POST answers 503 until the server has crashed.
        await receiver.setStatuses(["/hook": Array(repeating: 503, count: 1_000)])
        try await receiver.application().test(.live) { client in
            let receiverPort = try #require(client.port)
            do {
                // An account whose month has spent 1.00 USD of a 1.00 budget (two messages at 0.50).
                let store = try SQLiteLedgerStore(path: database.path)
                _ = try await store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
                try await store.importRates(
                    try RateCardImport.parse(
                        "effective_from,currency,market,category,rate\n\(month)-01,USD,India,marketing,0.5\n"
                    ).rates, tiers: [])
                try await LedgerScenario.ingest(
                    store,
                    (1...2).map {
                        LedgerScenario.status(
                            account: "A", "m\($0)", "delivered",
                            at: max(calendar.range(of: month).lowerBound, now - 60),
                            pricing: LedgerScenario.pmp("marketing"))
                    })
                try await store.setBudget(
                    Budget(
                        scope: .account("A"), monthly: 1, currency: "USD", alertAt: [100],
                        notify: [AlertTarget(url: "http://127.0.0.1:\(receiverPort)/hook")], createdAt: now))
                await LedgerStoreLocation.close(store)
            }
            let environment = [
                "WAMETER_ALERT_SECRET": "live-secret", "WAMETER_ALERT_INTERVAL": "1",
                "WAMETER_ALERT_RETRY_SECONDS": "1",
            ]
            let port = try LoopbackPort.free()
            let first = try ServerProcess(
                database: database, port: port, log: log, environment: environment, logLevel: "info")
            try await first.waitUntilHealthy(.shared)
            // What the receiver and the outbox saw, printed when a wait times out.
            let state: @Sendable () async -> String = {
                await Self.describe(receiver: receiver, database: database, log: log)
            }
            // Killed between two attempts, after one was refused and recorded. A delivery claimed
            // for a POST under way stays claimed across a crash for its lease (two minutes, by
            // design), and on a loaded machine a fixed pause cannot tell the two apart: the server
            // is frozen (SIGSTOP) while the outbox is read, and killed only when it holds no claim.
            try await Self.wait("a refused attempt recorded, and no claim held", state) {
                guard await !receiver.received.isEmpty else { return false }
                first.signal(SIGSTOP)
                if let delivery = try? Self.outbox(database), delivery.attempts >= 1, delivery.leaseUntil == 0 {
                    return true
                }
                first.signal(SIGCONT)
                return false
            }
            first.kill(SIGKILL)
            // A POST the receiver read before the kill but answers after it is still refused.
            try await Self.wait("the receiver idle", state) { await receiver.inFlight == 0 }
            #expect(await receiver.accepted.isEmpty)
            await receiver.setStatuses([:])
            let second = try ServerProcess(
                database: database, port: port, log: log, environment: environment, logLevel: "info")
            try await second.waitUntilHealthy(.shared)
            try await Self.wait("the alert delivered", state) { await receiver.accepted.count == 1 }
            // The delivery is recorded after the receiver's answer; on a loaded machine (a CI run
            // fsyncs in many tests at once) that write can take a while, so wait for it rather
            // than for a fixed time.
            let store = try SQLiteLedgerStore(path: database.path)
            var kept: [StoredAlert] = []
            try await Self.wait("the delivery recorded", state) {
                kept = (try? await store.alerts(visibleTo: .all, limit: 10)) ?? []
                return kept.first?.deliveries.first?.deliveredAt != nil
            }
            // Three more passes of the monitor: nothing more arrives.
            try await Task.sleep(for: .seconds(3))
            second.kill(SIGTERM)
            kept = try await store.alerts(visibleTo: .all, limit: 10)
            await LedgerStoreLocation.close(store)
            let accepted = await receiver.accepted
            #expect(accepted.count == 1)
            let delivered = try #require(accepted.first)
            #expect(delivered.alertID == "budget-spend:account:A:\(month):100")
            #expect(delivered.signature == AlertSignature.value(for: delivered.body, secret: "live-secret"))
            #expect(kept.count == 1)
            #expect(kept.first?.deliveries.first?.deliveredAt != nil)
            #expect((kept.first?.deliveries.first?.attempts ?? 0) >= 2)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    static func wait(
        _ what: String, _ state: @Sendable () async -> String, _ condition: () async -> Bool
    ) async throws {
        let start = ContinuousClock.now
        for _ in 0..<600 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out after \(ContinuousClock.now - start) waiting for \(what)\n\(await state())")
        throw CancellationError()
    }

    /// The one delivery's attempts and claim, read from the file as it is.
    static func outbox(_ database: URL) throws -> (attempts: Int, leaseUntil: Int64)? {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: database.path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT attempts, lease_until FROM alert_deliveries").map {
                (attempts: $0["attempts"], leaseUntil: $0["lease_until"])
            }
        }
    }

    /// Every POST the receiver answered, the outbox as a separate connection reads it, and the
    /// servers' log (e.g. "alert delivery not recorded"): what a timed-out wait needs to be explained.
    static func describe(receiver: AlertReceiver, database: URL, log: URL) async -> String {
        let posts = await receiver.received.map { "\($0.status) \($0.alertID ?? "-")" }
        var outbox: String
        do {
            let store = try SQLiteLedgerStore(path: database.path)
            outbox = try await store.alerts(visibleTo: .all, limit: 10).map { "\($0)" }.joined(separator: "\n")
            await LedgerStoreLocation.close(store)
        } catch {
            outbox = "unreadable: \(error)"
        }
        let text = (try? Data(contentsOf: log)).map { String(decoding: $0.suffix(4_000), as: UTF8.self) }
        return "received: \(posts)\noutbox:\n\(outbox)\nlog:\n\(text ?? "(none)")"
    }
}
