/// Suggestions for a mistyped command, by edit distance: a typo such as `reprot` or `insight`
/// should point at the command meant, not only at `--help`.
enum CommandSuggestion {
    /// "did you mean …?" when the first argument is not a command but is close to one (at most two
    /// edits, or a prefix of exactly one); nil otherwise.
    static func forMistypedCommand(_ arguments: [String], commands: [String]) -> String? {
        guard let typed = arguments.first, !typed.hasPrefix("-"), !commands.contains(typed) else { return nil }
        let prefixed = commands.filter { $0.hasPrefix(typed.lowercased()) }
        let close =
            prefixed.count == 1
            ? prefixed
            : commands.map { ($0, distance(typed.lowercased(), $0)) }.filter { $0.1 <= 2 }.sorted { $0.1 < $1.1 }
                .map(\.0)
        guard let best = close.first else { return nil }
        return "wameter: there is no command \"\(typed)\"; did you mean \"\(best)\"? (wameter --help lists them)"
    }

    /// Levenshtein distance, with a transposition counted as one edit (`reprot` is one from `report`).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
