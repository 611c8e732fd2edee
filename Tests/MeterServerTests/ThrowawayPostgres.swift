import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL cluster of a test's own, on loopback, to stop and start under load without
/// disturbing the shared test server. Needs `WAMETER_TEST_POSTGRES_BIN` (`.ci/run` sets it).
final class ThrowawayPostgres: Sendable {
    static var binaries: String? {
        ProcessInfo.processInfo.environment["WAMETER_TEST_POSTGRES_BIN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    let directory: URL
    let port: Int
    private let binaries: String

    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable" }

    init() throws {
        guard let binaries = Self.binaries else { throw ClusterError("WAMETER_TEST_POSTGRES_BIN is not set") }
        self.binaries = binaries
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("wameter-pg-\(UUID().uuidString.prefix(8))")
        port = try LoopbackPort.free()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if getuid() == 0 {
            // PostgreSQL refuses to run as root.
            try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: directory.path)
        }
        try run("initdb", "-D", directory.appendingPathComponent("data").path, "-U", "postgres", "--auth=trust")
        try start()
    }

    func start() throws {
        try run(
            "pg_ctl", "-D", directory.appendingPathComponent("data").path, "-l",
            directory.appendingPathComponent("server.log").path, "-w", "-o",
            "-p \(port) -c listen_addresses=127.0.0.1 -k \(directory.path) -c fsync=off", "start")
    }

    /// A fast shutdown: open transactions are rolled back and connections closed.
    func stop() throws {
        try run("pg_ctl", "-D", directory.appendingPathComponent("data").path, "-m", "fast", "-w", "stop")
    }

    func destroy() {
        try? run("pg_ctl", "-D", directory.appendingPathComponent("data").path, "-m", "immediate", "stop")
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs a PostgreSQL tool to completion, as the postgres user when this is root. Spawned and
    /// reaped directly: Foundation's `Process` waits for every inherited descriptor to close, and
    /// `pg_ctl start` leaves a server running that would hold one.
    private func run(_ tool: String, _ arguments: String...) throws {
        let path = binaries + "/" + tool
        let argv = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", path] + arguments : [path] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(
                &actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw ClusterError("cannot run \(tool): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            throw ClusterError("\(tool) \(arguments.joined(separator: " ")) failed with status \(status)")
        }
    }

    struct ClusterError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
