import Foundation
import Testing

@testable import wameter

/// A mistyped command points at the one meant; `--version` says the release and schema versions.
@Suite("Command suggestions and version")
struct CommandSuggestionTests {
    static let commands = ["report", "rebuild", "insights", "ingest", "rates", "serve"]

    @Test(
        "typos, transpositions and unique prefixes get a suggestion; far-off words and options do not",
        arguments: [
            ("reprot", "report"), ("insight", "insights"), ("rep", "report"), ("ingset", "ingest"),
            ("srve", "serve"),
        ])
    func suggestions(_ typed: String, _ meant: String) {
        #expect(
            CommandSuggestion.forMistypedCommand([typed], commands: Self.commands)
                == "wameter: there is no command \"\(typed)\"; did you mean \"\(meant)\"? (wameter --help lists them)")
    }

    @Test("no suggestion for a real command, an option, or a word far from every command")
    func noSuggestion() {
        for arguments in [["report"], ["--help"], ["xylophone"], [], ["re"]] {
            #expect(CommandSuggestion.forMistypedCommand(arguments, commands: Self.commands) == nil, "\(arguments)")
        }
    }

    @Test("time left, for people", arguments: [(44.6, "45 s"), (200, "3 min 20 s"), (3_900, "1 h 05 min")])
    func timeLeft(_ seconds: Double, _ text: String) {
        #expect(ProgressReport.duration(seconds) == text)
    }

    @Test("the executable: a suggestion before the usage (exit 64); --version")
    func executable() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Package.binary.path), "build wameter first")
        let database = try Package.temporaryDirectory().appendingPathComponent("unused.sqlite")
        let typo = try Package.run(["reprot", "--account", "A"], database: database)
        #expect(typo.status == 64)
        #expect(typo.stderr.hasPrefix("wameter: there is no command \"reprot\"; did you mean \"report\"?"))
        let version = try Package.run(["--version"], database: database)
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("wameter "))
        #expect(version.stdout.contains("SQLite schema v13, PostgreSQL schema v12"))
    }
}
