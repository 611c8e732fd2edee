import Foundation
import MeterCore
import TestSupport
import Testing

/// When alerts are due (issue 17, part 3): each rule, its occasion (the id that makes it once), the
/// payloads and the signature.
@Suite("Alert rules")
struct AlertRulesTests {
    static let november = YearMonth(year: 2026, month: 11)
    static let budget = Budget(
        scope: .account("A"), monthly: 1000, currency: "USD", alertAt: [100, 50, 80, 50], createdAt: 0)

    static func budgetAlerts(spend: Decimal, forecast: Decimal?, now: Int64 = 7) -> [String] {
        AlertRules.budget(
            AlertRules.BudgetMonth(budget: budget, month: november, spend: spend, forecast: forecast), now: now
        ).map(\.id)
    }

    @Test("thresholds: spend reaching a share raises its alert; the forecast warns ahead of spend")
    func budgetThresholds() throws {
        #expect(Self.budget.alertAt == [50, 80, 100])
        #expect(Self.budgetAlerts(spend: 499.99, forecast: nil).isEmpty)
        #expect(Self.budgetAlerts(spend: 500, forecast: nil) == ["budget-spend:account:A:2026-11:50"])
        // Spend at 60%, heading for 110%: spend's 50%, and the forecast's 80% and 100%.
        #expect(
            Self.budgetAlerts(spend: 600, forecast: 1100) == [
                "budget-spend:account:A:2026-11:50", "budget-forecast:account:A:2026-11:80",
                "budget-forecast:account:A:2026-11:100",
            ])
        // Evaluated later, with more spend but the same thresholds reached: the same ids, so the
        // store keeps them once (the id names the occasion, not the evaluation).
        #expect(
            Self.budgetAlerts(spend: 700, forecast: 1200, now: 86_400) == Self.budgetAlerts(spend: 600, forecast: 1100))
        let alert = try #require(
            AlertRules.budget(
                .init(budget: Self.budget, month: Self.november, spend: "812.4", forecast: nil), now: 7
            ).last)
        #expect(alert.kind == .budgetSpend)
        #expect(alert.message == "spend this month reached 80% of the 1000 USD budget: 812.4 USD")
        #expect(alert.figures["threshold"] == "80" && alert.figures["spend"] == "812.4")
        let portfolio = Budget(scope: .portfolio("P"), monthly: 10, currency: "EUR", createdAt: 0)
        let raised = AlertRules.budget(.init(budget: portfolio, month: Self.november, spend: 10, forecast: 10), now: 7)
        #expect(raised.map(\.portfolio) == ["P", "P", "P"])
        #expect(raised.allSatisfy { $0.account == nil })
    }

    @Test("webhooks stopped: once per silence, after the configured time")
    func silence() {
        #expect(AlertRules.silence(account: "A", lastActivity: nil, now: 10_000, after: 3_600) == nil)
        #expect(AlertRules.silence(account: "A", lastActivity: 7_000, now: 10_000, after: 3_600) == nil)
        let alert = AlertRules.silence(account: "A", lastActivity: 1_800, now: 10_000, after: 3_600)
        #expect(alert?.id == "webhooks-stopped:A:1800")
        #expect(
            alert?.message.hasPrefix(
                "no webhook events for 2.3 hours (the last in the half-hour ending 1970-01-01 00:30 UTC)") == true)
    }

    @Test("unrated units: an alert at 1, 10, 100, … this month")
    func unrated() {
        #expect(AlertRules.unrated(account: "A", month: Self.november, count: 0, now: 1) == nil)
        #expect(AlertRules.unrated(account: "A", month: Self.november, count: 1, now: 1)?.id == "unrated:A:2026-11:1")
        #expect(AlertRules.unrated(account: "A", month: Self.november, count: 9, now: 1)?.id == "unrated:A:2026-11:1")
        #expect(AlertRules.unrated(account: "A", month: Self.november, count: 10, now: 1)?.id == "unrated:A:2026-11:10")
        #expect(
            AlertRules.unrated(account: "A", month: Self.november, count: 4_321, now: 1)?.id == "unrated:A:2026-11:1000"
        )
    }

    @Test("reconciliation drift: cells beyond Meta's lag, over the threshold, once per count")
    func drift() {
        let causes = ["meta_lagging": 40, "webhooks_missing": 3, "rate_card": 1]
        let alert = AlertRules.drift(
            account: "A", month: Self.november, causes: causes, checkedAt: 5, threshold: 0, now: 9)
        #expect(alert?.id == "drift:A:2026-11:4")
        #expect(alert?.message.contains("in 4 cell(s) (3 webhooks_missing, 1 rate_card)") == true)
        #expect(
            AlertRules.drift(account: "A", month: Self.november, causes: causes, checkedAt: 5, threshold: 4, now: 9)
                == nil)
        #expect(
            AlertRules.drift(
                account: "A", month: Self.november, causes: ["meta_lagging": 9], checkedAt: 5, threshold: 0, now: 9)
                == nil)
    }

    @Test("payloads: the alert's JSON or Slack's text; the signature is HMAC-SHA256 of the body, as Meta signs")
    func payloads() throws {
        let alert = Alert(
            id: "budget-spend:account:A:2026-11:80", kind: .budgetSpend, account: "A", month: "2026-11", raisedAt: 1,
            message: "spend reached 80%")
        let json = try #require(
            try JSONSerialization.jsonObject(with: alert.payload(for: .json)) as? [String: Any])
        #expect(json["id"] as? String == alert.id && json["kind"] as? String == "budget_spend")
        #expect(json["raised_at"] as? Int == 1)
        let slack = try #require(
            try JSONSerialization.jsonObject(with: alert.payload(for: .slack)) as? [String: String])
        #expect(slack == ["text": "wameter · account A: spend reached 80%"])
        // RFC 4231-style known answer: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        #expect(
            AlertSignature.value(for: Data("The quick brown fox jumps over the lazy dog".utf8), secret: "key")
                == "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }

    @Test("budget settings: --alert-at percentages, notify URLs")
    func settings() throws {
        #expect(try Budget.alertAt("50, 80%,100").get() == [50, 80, 100])
        #expect((try? Budget.alertAt("0").get()) == nil)
        #expect((try? Budget.alertAt("50,,80").get()) == nil)
        #expect((try? Budget.alertAt("1001").get()) == nil)
        #expect(AlertTarget.urlProblem("https://hooks.slack.com/services/T/B/X") == nil)
        #expect(AlertTarget.urlProblem("ftp://example.com/x") != nil)
        #expect(AlertTarget.urlProblem("not a url") != nil)
        #expect(AlertTarget(url: "https://hooks.slack.com/services/T/B/X", format: .slack).host == "hooks.slack.com")
    }
}
