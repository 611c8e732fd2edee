import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MeterCore
import NIOCore
import ServiceLifecycle
import TestSupport
import Testing

@testable import MeterServer

/// `GET /dashboard/events`: the ledger's version pushed to open pages, from one fan-out that the
/// webhook path never waits for.
@Suite("Dashboard events")
struct DashboardEventsTests {
    @Test("the fan-out: the current version at once, then each move; one pending number per page; capacity")
    func fanOut() async throws {
        let version = LedgerVersion()
        // A short heartbeat: the ticker starts from the version it first sees, so a move made
        // before it runs is only sent by the heartbeat.
        let events = DashboardEvents(
            version: version, capacity: 2, tick: .milliseconds(10), heartbeat: .milliseconds(20))
        let running = Task { try await events.run() }
        defer { running.cancel() }
        let first = try #require(events.subscribe())
        let second = try #require(events.subscribe())
        #expect(events.subscribe() == nil)  // at capacity
        var iterator = first.versions.makeAsyncIterator()
        #expect(await iterator.next() == 0)
        // Many commits while the page is busy: it gets the newest, not a queue of them. The other
        // page is read until the ticker has handed out 50, then 100 (whenever a loaded machine
        // runs it), so the busy page has certainly been offered both.
        version.advance()
        while let seen = await iterator.next(), seen != 1 {}
        var other = second.versions.makeAsyncIterator()
        for target: UInt64 in [50, 100] {
            while version.current < target { version.advance() }
            while let seen = await other.next(), seen != target {}
        }
        #expect(await iterator.next() == 100)
        events.end(second.id)
        #expect(events.open == 1)
        #expect(events.subscribe() != nil)
    }

    @Test("over HTTP: a signed-in page gets the version, then the next commit's; no session, 401")
    func overHTTP() async throws {
        let fixture = try ServerFixture()
        _ = try await fixture.store.upsertAccount(Account(id: "A", timezone: "UTC", currency: "USD"))
        try await DashboardTests.app(fixture).test(.live) { client in
            let port = try #require(client.port)
            let cookie = try await DashboardTests.signIn(client)
            var unsigned = HTTPClientRequest(url: "http://127.0.0.1:\(port)/dashboard/events")
            let refused = try await HTTPClient.shared.execute(unsigned, timeout: .seconds(5))
            #expect(refused.status == .unauthorized)
            unsigned.headers.add(name: "Cookie", value: cookie)
            let response = try await HTTPClient.shared.execute(unsigned, timeout: .seconds(30))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
            var body = response.body.makeAsyncIterator()
            var text = ""
            // Bounded generously: the whole suite shares two cores (the fan-out ticks every 250 ms).
            func read(until marker: String) async throws {
                let deadline = ContinuousClock.now + .seconds(10)
                while !text.contains(marker) {
                    guard ContinuousClock.now < deadline, let chunk = try await body.next() else {
                        Issue.record("no \(marker.debugDescription) in \(text.debugDescription)")
                        return
                    }
                    text += String(buffer: chunk)
                }
            }
            try await read(until: "event: version\ndata: 0\n\n")
            #expect(text.hasPrefix("retry: 2000\n\n"))
            try await DashboardTests.deliver(
                client,
                LedgerScenario.status("m1", "delivered", at: 1_790_000_000, pricing: LedgerScenario.pmp("utility")))
            try await read(until: "event: version\ndata: 1\n\n")
        }
    }
}
