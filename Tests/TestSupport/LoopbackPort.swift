import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Ports on 127.0.0.1 for tests that run a real server or need one taken.
public enum LoopbackPort {
    /// A port nothing listens on now (the kernel's pick, released at once).
    public static func free() throws -> Int {
        let (port, fd) = try bound(listening: false)
        _ = Glibc.close(fd)
        return port
    }

    /// A port something listens on, until `close` is called.
    public static func occupied() throws -> (port: Int, close: @Sendable () -> Void) {
        let (port, fd) = try bound(listening: true)
        return (port, { _ = Glibc.close(fd) })
    }

    private static func bound(listening: Bool) throws -> (port: Int, fd: Int32) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && (!listening || listen(fd, 1) == 0) && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            _ = Glibc.close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return (Int(UInt16(bigEndian: address.sin_port)), fd)
    }
}
