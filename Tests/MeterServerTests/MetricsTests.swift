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
                let samples = try Self.parse(text)
                #expect(samples["wameter_webhook_requests_total{status=\"200\"}"] == 2)
                #expect(samples["wameter_webhook_requests_total{status=\"401\"}"] == 1)
                #expect(samples["wameter_webhook_requests_total{status=\"other\"}"] == 0)
                #expect(samples["wameter_bodies_committed_total"] == 2)
                #expect(samples["wameter_ingest_events_total{kind=\"status\"}"] == 2)
                #expect(samples["wameter_ingest_events_total{kind=\"inbound_message\"}"] == 0)
                // The first body named account A, which nobody had added.
                #expect(samples["wameter_accounts_auto_created_total"] == 1)
                #expect(samples["wameter_commit_failures_total"] == 0)
                #expect(samples["wameter_commit_seconds_bucket{le=\"+Inf\"}"] == 2)
                #expect(samples["wameter_commit_seconds_count"] == 2)
                #expect(samples["wameter_commit_batch_bodies_bucket{le=\"1.0\"}"] == 2)
                #expect(samples["wameter_commit_batch_bodies_count"] == 2)
                #expect(samples["wameter_commit_batch_bodies_sum"] == 2)
                // The scrape itself.
                #expect(samples["wameter_http_requests_in_flight"] == 1)
                #expect(samples["wameter_ledger_version"] == 2)
                // No label names an account.
                #expect(!text.contains("account=") && !text.contains("\"A\""))
                #expect(text.contains("# TYPE wameter_commit_seconds histogram\n"))
                #expect(text.contains("# HELP wameter_bodies_committed_total Webhook bodies made durable.\n"))
            }
        }
    }

    /// The samples of a Prometheus text exposition by series (`name{labels}`), checking the format
    /// as a scraper would: every sample line is `series value`, every series has a `# TYPE` first.
    static func parse(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        var typed: Set<String> = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                try #require(parts.count == 4 && ["counter", "gauge", "histogram"].contains(parts[3]), "\(line)")
                typed.insert(String(parts[2]))
                continue
            }
            if line.hasPrefix("# HELP ") { continue }
            let space = try #require(line.lastIndex(of: " "), "\(line)")
            let series = String(line[..<space])
            let value = try #require(Double(line[line.index(after: space)...]), "\(line)")
            let name = String(series.prefix { $0 != "{" })
            let family = ["_bucket", "_sum", "_count"].reduce(name) { name, suffix in
                typed.contains(name) ? name : (name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name)
            }
            #expect(typed.contains(family), "\(series) has no # TYPE line")
            #expect(
                series.range(
                    of: #"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})?$"#,
                    options: .regularExpression) != nil, "\(series)")
            samples[series] = value
        }
        return samples
    }
}
