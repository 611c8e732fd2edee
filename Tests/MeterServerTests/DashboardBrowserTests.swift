import AsyncHTTPClient
import Foundation
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

/// The dashboard in a real browser (headless Chromium, which `.ci/run` installs): pages load
/// without console errors, show the API's figures, update within 2 s of a committed delivery, and
/// are photographed at desktop and phone sizes into `.build/dashboard-screenshots/`.
@Suite("Dashboard in a browser", .enabled(if: Chromium.path != nil))
struct DashboardBrowserTests {
    static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/dashboard-screenshots")

    /// A headless Chromium, killed when the test is done with it.
    final class Browser: @unchecked Sendable {
        let process = Process()
        let errors = Pipe()
        let output = Pipe()

        init(_ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: Chromium.path!)
            process.arguments =
                [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                    "--enable-logging=stderr", "--v=0",
                    "--user-data-dir="
                        + TestFiles.path("chromium").path,
                ] + arguments
            process.standardError = errors
            process.standardOutput = output
            try process.run()
        }

        /// Waits for it to exit by itself (screenshots, DOM dumps), at most `seconds`.
        func finish(within seconds: Double = 60) async throws -> (stdout: String, stderr: String) {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            return (
                String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            )
        }

        func stop() -> String {
            process.terminate()
            process.waitUntilExit()
            return String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
    }

    /// Console messages Chromium logged (`INFO:CONSOLE(…)`): the page's own script logs none, so any
    /// is an error (an exception, a blocked resource, a content-security-policy violation).
    static func consoleMessages(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").filter { $0.contains("CONSOLE") }.map(String.init)
    }

    static func app(_ fixture: ServerFixture, sessions: DashboardSessions) -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return buildApplication(
            configuration: ServerFixture.configuration, store: fixture.store, clock: { ServerFixture.now },
            logger: logger, sessions: sessions)
    }

    static func delivery(_ id: String, day: Int, to number: String = "919876543210") -> Data {
        LedgerScenario.status(
            id, "delivered", at: utc("2026-09-05T10:00:00Z") + Int64(day) * 86_400, to: number,
            pricing: LedgerScenario.pmp("marketing"))
    }

    static func received(_ bytes: Data) throws -> ReceivedBody {
        try ReceivedBody.decode(bytes, decoder: WebhookDecoder(), receivedAt: ServerFixture.now, source: "test")
    }

    @Test("pages load without console errors, show the API's figures, and are photographed at 1280×800 and 390×844")
    func pagesAndScreenshots() async throws {
        let fixture = try ServerFixture()
        let sessions = DashboardSessions()
        for (index, number) in ["919876543210", "5511987654321", "16505551234"].enumerated() {
            _ = try await fixture.store.ingest([try Self.received(Self.delivery("m\(index)", day: index, to: number))])
        }
        let report = try await fixture.store.report(
            accountID: "A", month: YearMonth("2026-09")!, now: ServerFixture.now)
        // The first day by half-hour: its one delivery, as the insights API gives it.
        let day = try await fixture.store.insights(
            scope: .accounts(["A"]),
            query: try InsightsRequest(from: "2026-09-05", to: "2026-09-05", granularity: "half_hour").query(),
            now: ServerFixture.now)
        let daySpend = try #require(day.totals.first?.metrics.cost)
        try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
        try await Self.app(fixture, sessions: sessions).test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let pages = [
                ("overview", "/", report.cost.total, 3), ("account", "/accounts/A?month=2026-09", report.cost.total, 3),
                ("day", "/accounts/A?day=2026-09-05", daySpend, 1),
            ]
            for (page, path, spend, charged) in pages {
                let next = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let dom = try await Browser([
                    "--dump-dom",
                    "\(base)/sign-in/once?code=\(sessions.oneTimeCode(now: ServerFixture.now))&next=\(next)",
                ]).finish()
                #expect(Self.consoleMessages(dom.stderr).isEmpty, "\(page): \(Self.consoleMessages(dom.stderr))")
                #expect(dom.stdout.contains("\(formatMoney(spend)) USD"), "\(page)")
                #expect(
                    dom.stdout.contains(">\(charged)<") || dom.stdout.contains(">\(charged) <"),
                    "\(page): \(charged) charged")
                for (width, height) in [(1280, 800), (390, 844)] {
                    let file = Self.screenshots.appendingPathComponent("\(page)-\(width)x\(height).png")
                    try? FileManager.default.removeItem(at: file)
                    _ = try await Browser([
                        "--window-size=\(width),\(height)", "--screenshot=\(file.path)",
                        "\(base)/sign-in/once?code=\(sessions.oneTimeCode(now: ServerFixture.now))&next=\(next)",
                    ]).finish()
                    let png = try Data(contentsOf: file)
                    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(file.lastPathComponent) is a PNG")
                    #expect(png.count > 10_000, "\(file.lastPathComponent) has something on it")
                }
            }
        }
    }

    /// The product's target is 2 s (a poll a second, then one page render); on an idle machine it
    /// takes about 1 s (docs/benchmarks.md). Here it runs beside the whole suite on 2 cores, where a
    /// starved browser can take several seconds, so the test checks that the delivery arrives
    /// without a reload and prints the time; the figure is measured, not asserted.
    @Test("an open page shows a committed delivery without a reload (target: within 2 seconds)")
    func liveUpdate() async throws {
        let fixture = try ServerFixture()
        let sessions = DashboardSessions()
        _ = try await fixture.store.ingest([try Self.received(Self.delivery("m0", day: 0))])
        try await Self.app(fixture, sessions: sessions).test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let debugPort = try LoopbackPort.free()
            let browser = try Browser([
                "--remote-debugging-port=\(debugPort)",
                "\(base)/sign-in/once?code=\(sessions.oneTimeCode(now: ServerFixture.now))&next=%2Faccounts%2FA%3Fmonth%3D2026-09",
            ])
            defer { _ = browser.stop() }
            // The page's title carries the month's charged count; Chromium lists it at /json/list.
            func title() async -> String? {
                let request = HTTPClientRequest(url: "http://127.0.0.1:\(debugPort)/json/list")
                guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)),
                    let body = try? await response.body.collect(upTo: 1 << 20),
                    let pages = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [[String: Any]]
                else { return nil }
                return pages.compactMap { $0["title"] as? String }.first { $0.contains("charged") }
            }
            func wait(for text: String, seconds: Double) async -> Double? {
                let start = Date()
                while Date().timeIntervalSince(start) < seconds {
                    if let title = await title(), title.contains(text) { return Date().timeIntervalSince(start) }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return nil
            }
            #expect(await wait(for: "· 1 charged", seconds: 20) != nil, "the page opened")
            // The page knows the version it was rendered at, so the delivery may come at once.
            let body = Self.delivery("m1", day: 1)
            try await client.execute(
                uri: "/webhook", method: .post, headers: ServerFixture.signed(body), body: ByteBuffer(data: body)
            ) { #expect($0.status == .ok) }
            let seconds = await wait(for: "· 2 charged", seconds: 20)
            #expect(seconds != nil, "the delivery reached the open page")
            if let seconds { print("dashboard live update: \(String(format: "%.2f", seconds)) s after the commit") }
            let stderr = browser.stop()
            #expect(Self.consoleMessages(stderr).isEmpty, "\(Self.consoleMessages(stderr))")
        }
    }
}

/// Where headless Chromium is: `WAMETER_TEST_CHROMIUM`, else Debian's package; `nil` skips the
/// browser tests (`.ci/run` installs it).
enum Chromium {
    static let path: String? = {
        if let path = ProcessInfo.processInfo.environment["WAMETER_TEST_CHROMIUM"] { return path }
        return ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }()
}
