import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MeterCore
import MeterServer
import MeterStore
import TestSupport
import Testing
import WhatsAppWebhook

/// One body that the database refuses must not take the deliveries committed beside it down too.
/// The refusal is real: a trigger in a real SQLite database aborts any insert of a body that holds
/// the word POISON, as a constraint the store did not foresee would.
@Suite("Poison isolation")
struct PoisonIsolationTests {
    static func poisonedStore() throws -> (SQLiteLedgerStore, URL) {
        let path = TestFiles.path("poison", extension: "sqlite")
        let store = try SQLiteLedgerStore(path: path.path)
        let queue = try DatabaseQueue(path: path.path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER poison BEFORE INSERT ON raw_bodies
                    WHEN instr(CAST(NEW.body AS TEXT), 'POISON') > 0
                    BEGIN SELECT RAISE(ABORT, 'poisoned body'); END
                    """)
        }
        try queue.close()
        return (store, path)
    }

    static func body(_ id: String) -> ReceivedBody {
        let bytes = LedgerScenario.status(id, "delivered", at: 1_752_577_200, pricing: LedgerScenario.pmp("utility"))
        return try! ReceivedBody.decode(bytes, decoder: WebhookDecoder(), receivedAt: 0, source: "test")
    }

    @Test("a group holding poisoned bodies is split: only the poisoned ones fail, as unstorable")
    func splitsTheGroup() async throws {
        let (store, path) = try Self.poisonedStore()
        defer { try? FileManager.default.removeItem(at: path) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let committer = GroupCommitter(store: store, maxBatch: 1_000, logger: logger)
        let ids = (0..<40).map { $0 % 13 == 5 ? "wamid.POISON\($0)" : "wamid.ok\($0)" }
        // Every body is waiting before the committer starts, so the first transaction holds them all.
        let results = try await withThrowingTaskGroup(of: (String, Result<Int, GroupCommitter.Failure>).self) { group in
            for id in ids {
                group.addTask {
                    do {
                        _ = try await committer.submit(Self.body(id))
                        return (id, .success(200))
                    } catch let failure as GroupCommitter.Failure {
                        return (id, .failure(failure))
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            let running = Task { try await committer.run() }
            var results: [String: Result<Int, GroupCommitter.Failure>] = [:]
            for try await (id, result) in group { results[id] = result }
            running.cancel()
            return results
        }
        for id in ids {
            switch results[id] {
            case .success?: #expect(!id.contains("POISON"), "\(id) was stored")
            case .failure(.unstorable(let reason))?:
                #expect(id.contains("POISON"), "\(id) failed: \(reason)")
                #expect(reason.contains("poisoned body"))
            default: Issue.record("\(id): \(String(describing: results[id]))")
            }
        }
        #expect(try await store.archivedBodyCount() == ids.filter { !$0.contains("POISON") }.count)
    }

    @Test("over HTTP the poisoned delivery gets 400 with the reason, the others 200")
    func httpAnswers() async throws {
        let (store, path) = try Self.poisonedStore()
        defer { try? FileManager.default.removeItem(at: path) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let app = buildApplication(
            configuration: ServerFixture.configuration, store: store, clock: { ServerFixture.now }, logger: logger)
        try await app.test(.router) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<30 {
                    let id = n == 7 ? "wamid.POISON" : "wamid.ok\(n)"
                    let bytes = LedgerScenario.status(
                        id, "delivered", at: 1_752_577_200, pricing: LedgerScenario.pmp("utility"))
                    group.addTask {
                        try await client.execute(
                            uri: "/webhook", method: .post, headers: ServerFixture.signed(bytes),
                            body: ByteBuffer(data: bytes)
                        ) { response in
                            if n == 7 {
                                #expect(response.status == .badRequest)
                                #expect(ServerFixture.errorReason(response)?.contains("cannot be stored") == true)
                            } else {
                                #expect(response.status == .ok)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(try await store.archivedBodyCount() == 29)
    }
}
