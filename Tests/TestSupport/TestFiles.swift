import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where tests put their files: one directory per test process in the system's temporary directory
/// (`wameter-tests-PID`), removed by a later run once that process has ended. A run's files stay for
/// a look afterwards (a failed test's database, a server's log), and runs do not pile them up.
public enum TestFiles {
    static let prefix = "wameter-tests-"

    /// This process's directory, created on first use, after removing those of ended processes.
    public static let root: URL = {
        let temporary = FileManager.default.temporaryDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), !isRunning(pid) else { continue }
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
        let root = temporary.appendingPathComponent(prefix + String(getpid()))
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }()

    /// A new path in the run's directory, `name-UUID` with the extension if one is given; nothing
    /// is created there.
    public static func path(_ name: String, extension pathExtension: String = "") -> URL {
        let file = root.appendingPathComponent("\(name)-\(UUID().uuidString)")
        return pathExtension.isEmpty ? file : file.appendingPathExtension(pathExtension)
    }

    /// A new, empty directory in the run's directory.
    public static func directory(_ name: String) throws -> URL {
        let url = path(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Whether a process with this id exists (it may belong to someone else: then its directory is
    /// left alone too).
    static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
