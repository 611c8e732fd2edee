import ArgumentParser
import Foundation
import MeterCore
import TrafficDriver
import TrafficSimulator

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Generate realistic webhook traffic: a JSONL file, or signed POSTs to a server.",
        discussion: """
            Simulates three accounts of one portfolio (Asia/Kolkata, America/Sao_Paulo, Europe/Berlin): templates \
            of every category to recipients in many markets, customer-service windows, free entry points, \
            groups, business-scoped users, delivery delays (some past a month boundary, some never delivered), \
            read without delivered, failures with real error codes, batched bodies, duplicates and \
            out-of-order redelivery. The pricing era (conversation-based before 2025-07-01, per-message after, \
            the 2026-10-01 changes) follows the simulated date. The same --seed and --start give the same bytes.

            File:   wameter simulate --out traffic.jsonl --count 100000 --start 2026-02-01 --days 28
            Server: wameter simulate --url http://127.0.0.1:8080/webhook --rate 500 --duration 60 --app-secret S
            """)

    @Option(help: "Write bodies to this JSONL file (- for standard output).") var out: String?
    @Option(help: "POST bodies to this URL, signed with --app-secret.") var url: String?
    @Option(help: "Bodies to produce (default 10000 for --out).") var count: Int?
    @Option(help: "Seconds to send for (--url).") var duration: Double?
    @Option(help: "Target bodies per second (--url; default: as fast as the server answers).") var rate: Double?
    @Option(help: "Concurrent connections (--url).") var concurrency: Int = 16
    @Option(help: "App secret to sign with (default: the first of $WAMETER_APP_SECRET).") var appSecret: String?
    @Option(help: "Seed: equal seeds give equal traffic.") var seed: UInt64 = 1
    @Option(
        help:
            "Simulated start, YYYY-MM-DD (UTC midnight) or epoch seconds. Default: now with --url, else the 1st of this month."
    )
    var start: String?
    @Option(
        help: """
            Simulated days the --count bodies span (default 28 with --out; with --url, simulated time follows             the wall clock unless --days is given).
            """)
    var days: Double?
    @Option(help: "Share of interactions that are voice calls, 0 to 1 (from 2025-08-01 on the simulated clock).")
    var callRate: Double = 0.05
    @Option(
        help: "Share of interactions that are messages sent from the Business app or by the Business Agent, 0 to 1.")
    var echoRate: Double = 0.02
    @Flag(help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        if (out == nil) == (url == nil) { throw ValidationError("give exactly one of --out FILE and --url URL") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        if let days, days <= 0 { throw ValidationError("--days must be positive") }
        if days != nil && count == nil && url != nil { throw ValidationError("--days needs --count") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if !(0...1).contains(callRate) { throw ValidationError("--call-rate must be from 0 to 1") }
        if !(0...1).contains(echoRate) { throw ValidationError("--echo-rate must be from 0 to 1") }
        if out != nil && duration != nil {
            throw ValidationError("--duration applies to --url; use --count with --out")
        }
        if url != nil && count == nil && duration == nil {
            throw ValidationError("with --url, give --count, --duration or both (sending stops at the first reached)")
        }
        if let start, Self.epoch(start) == nil {
            throw ValidationError("--start must be YYYY-MM-DD or epoch seconds, got \"\(start)\"")
        }
        if let url, WebhookPoster.Target(url) == nil {
            throw ValidationError("--url must be an http:// URL (e.g. http://127.0.0.1:8080/webhook), got \"\(url)\"")
        }
        if url != nil && secret == nil {
            throw ValidationError("--url needs --app-secret (or WAMETER_APP_SECRET) to sign the bodies")
        }
    }

    private var secret: String? {
        appSecret
            ?? ProcessInfo.processInfo.environment["WAMETER_APP_SECRET"]?.split(separator: ",").first.map {
                $0.trimmingCharacters(in: .whitespaces)
            }
    }

    /// Epoch seconds, or a `YYYY-MM-DD` day at midnight UTC.
    static func epoch(_ text: String) -> Int64? {
        if let seconds = Int64(text) { return seconds }
        return DayKeys.parse(text).map(BillingCalendar.utc.start(of:))
    }

    /// The gap between interactions that spreads `count` bodies over `days` simulated days.
    static func meanGap(days: Double, count: Int) -> Double {
        days * 86_400 / (Double(count) / SimulationSettings.bodiesPerInteraction)
    }

    func run() async throws {
        let now = Int64(Date().timeIntervalSince1970)
        if let url {
            // Real time: the simulated clock advances about as fast as bodies are sent.
            let settings = SimulationSettings(
                seed: seed, start: start.flatMap(Self.epoch) ?? now,
                meanGapSeconds: days.map { Self.meanGap(days: $0, count: count!) }
                    ?? SimulationSettings.bodiesPerInteraction / (rate ?? 1_000), callRate: callRate,
                echoRate: echoRate)
            let poster = WebhookPoster(
                simulator: TrafficSimulator(settings), target: WebhookPoster.Target(url)!, appSecret: secret!,
                limits: .init(count: count, duration: duration, rate: rate))
            let outcome = await poster.run(concurrency: concurrency)
            if !quiet { print(outcome.summary) }
            if outcome.failedConnections > 0 || outcome.responses.contains(where: { $0.key != 200 }) {
                throw ExitCode(1)
            }
            return
        }
        let total = count ?? 10_000
        let monthStart = BillingCalendar.utc.range(of: YearMonth(containing: BillingCalendar.utc.day(of: now)))
            .lowerBound
        let settings = SimulationSettings(
            seed: seed, start: start.flatMap(Self.epoch) ?? monthStart,
            meanGapSeconds: Self.meanGap(days: days ?? 28, count: total), callRate: callRate, echoRate: echoRate)
        var simulator = TrafficSimulator(settings)
        let clock = ContinuousClock()
        let began = clock.now
        let handle: FileHandle
        if out == "-" {
            handle = .standardOutput
        } else {
            // Opened in place, never through FileManager.createFile: that writes a new file and
            // renames it over the path, which turned `--out /dev/null` (as root) into a regular file.
            let descriptor = open(out!, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard descriptor >= 0 else {
                throw ValidationError("cannot write \(out!): \(String(cString: strerror(errno)))")
            }
            handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        }
        var buffer = Data()
        buffer.reserveCapacity(1 << 20)
        for _ in 0..<total {
            buffer.append(simulator.next().bytes)
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
        if out != "-" { try handle.close() }
        let elapsed = clock.now - began
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if !quiet {
            printError(
                "wrote \(simulator.stats.summary)\nto \(out!) in \(String(format: "%.2f", seconds)) s: "
                    + "\(String(format: "%.0f", Double(total) / max(seconds, 1e-9))) bodies/s")
        }
    }
}
