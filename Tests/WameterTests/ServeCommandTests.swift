import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("wameter serve")
struct ServeCommandTests {
    /// A listening socket on a free loopback port, held until `close`.
    static func occupiedPort() throws -> (port: Int, close: () -> Void) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return (Int(UInt16(bigEndian: address.sin_port)), { _ = Glibc.close(fd) })
    }

    @Test("a port in use: exit 1 with a hint, and no claim that the server is serving")
    func portInUse() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Package.binary.path), "build wameter first")
        let (port, close) = try Self.occupiedPort()
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
