import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeterCore
import MeterServer
import TestSupport
import Testing

/// `GET /metrics`: what an operator's Prometheus scrapes, behind the API token.
@Suite("Metrics")
struct MetricsTests {
    @Test("deliveries by answered status, bodies committed, commit durations; 401 without the token")
    func scrape() async throws {
        let fixture = try ServerFixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .unauthorized) }
            for id in ["m1", "m2"] {
                let body = LedgerScenario.status(
                    id, "delivered", at: 1_752_577_200, pricing: LedgerScenario.pmp("marketing"))
                try await client.execute(
                    uri: "/webhook", method: .post, headers: ServerFixture.signed(body), body: ByteBuffer(data: body)
                ) { #expect($0.status == .ok) }
            }
            let body = LedgerScenario.status("m3", "delivered", at: 1_752_577_200)
            try await client.execute(
                uri: "/webhook", method: .post, headers: ServerFixture.signed(body, secret: "wrong"),
                body: ByteBuffer(data: body)
            ) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/metrics", method: .get, headers: ServerFixture.bearer) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                #expect(text.contains("wameter_webhook_requests_total{status=\"200\"} 2\n"))
                #expect(text.contains("wameter_webhook_requests_total{status=\"401\"} 1\n"))
                #expect(text.contains("wameter_bodies_committed_total 2\n"))
                #expect(text.contains("wameter_commit_seconds_bucket{le=\"+Inf\"} 2\n"))
                #expect(text.contains("wameter_commit_seconds_count 2\n"))
                #expect(text.contains("wameter_ledger_version 2\n"))
                #expect(text.contains("# TYPE wameter_commit_seconds histogram\n"))
            }
        }
    }
}
