import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Progress of a long command (`ingest`, `rebuild`, `migrate`) on standard error: done so far, rate,
/// percentage and time left, at most every two seconds; only on a terminal and without `--quiet`,
/// so logs and pipes get the summary alone.
final class ProgressReport: Sendable {
    /// Whether progress is printed: a terminal on standard error, and no `--quiet`.
    static func isWanted(quiet: Bool) -> Bool {
        !quiet && isatty(STDERR_FILENO) != 0
    }

    private let started = Date()
    private let lastPrinted = Mutex(Date())
    /// What is counted, plural ("archived bodies").
    let noun: String

    init(noun: String) {
        self.noun = noun
    }

    /// Prints a line if two seconds have passed since the last.
    func report(_ done: Int, of total: Int) {
        let now = Date()
        let due = lastPrinted.withLock { last in
            guard now.timeIntervalSince(last) >= 2 else { return false }
            last = now
            return true
        }
        guard due, done > 0 else { return }
        let elapsed = now.timeIntervalSince(started)
        var line = "… \(done) of \(total) \(noun), \(Int(Double(done) / max(elapsed, 0.001)))/s"
        if total > 0 {
            let fraction = min(Double(done) / Double(total), 1)
            line += String(
                format: ", %.0f%%, about %@ left", fraction * 100, Self.duration(elapsed * (1 - fraction) / fraction))
        }
        printError(line)
    }

    /// `42 s`, `3 min 5 s`, `2 h 07 min`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total) s" }
        if total < 3_600 { return "\(total / 60) min \(total % 60) s" }
        return String(format: "%d h %02d min", total / 3_600, total % 3_600 / 60)
    }
}
