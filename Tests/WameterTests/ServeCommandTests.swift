import Foundation
import TestSupport
import Testing

@Suite("wameter serve")
struct ServeCommandTests {
    @Test("a port in use: exit 1 with a hint, and no claim that the server is serving")
    func portInUse() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Package.binary.path), "build wameter first")
        let (port, close) = try LoopbackPort.occupied()
        defer { close() }
        let database = try Package.temporaryDirectory().appendingPathComponent("ledger.sqlite")
        let result = try Package.run(
            ["serve", "--port", String(port)], database: database,
            environment: [
                "WAMETER_APP_SECRET": "secret", "WAMETER_VERIFY_TOKEN": "verify",
                "WAMETER_API_TOKEN": "token-0123456789abcdef",
            ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot serve on 127.0.0.1:\(port)"))
        #expect(result.stderr.contains("is port \(port) in use? try --port"))
        #expect(!(result.stdout + result.stderr).contains("wameter serving"))
    }
}
