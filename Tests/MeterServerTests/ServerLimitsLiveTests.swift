import Foundation
import Hummingbird
import Logging
import MeterServer
import MeterStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The server's limits, tried as a slow or greedy client would, over real sockets on loopback.
@Suite("Server limits, live", .serialized)
struct ServerLimitsLiveTests {
    static func configuration(_ limits: ServerLimits, port: Int, maxBodyBytes: Int) -> ServerConfiguration {
        var configuration = ServerFixture.configuration
        configuration.limits = limits
        configuration.maxBodyBytes = maxBodyBytes
        configuration.port = port
        return configuration
    }

    /// Runs the application as `wameter serve` does (HummingbirdTesting's live mode drops the
    /// connection limit from the configuration), on a free loopback port.
    static func withServer(
        _ limits: ServerLimits, maxBodyBytes: Int = 1024 * 1024, _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        let port = try LoopbackPort.free()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (running, started) = AsyncStream.makeStream(of: Void.self)
        let app = buildApplication(
            configuration: configuration(limits, port: port, maxBodyBytes: maxBodyBytes),
            store: try SQLiteLedgerStore(), clock: { ServerFixture.now }, logger: logger,
            onServerRunning: { started.yield() })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            for await _ in running { break }
            defer { group.cancelAll() }
            try await body(port)
        }
    }

    static let signatureHeader = "X-Hub-Signature-256: sha256=" + String(repeating: "ab", count: 32) + "\r\n"

    @Test("a request head that never completes is closed after the idle timeout")
    func slowHead() async throws {
        try await Self.withServer(ServerLimits(idleTimeout: .milliseconds(400))) { port in
            let connection = try RawConnection(port: port)
            try await connection.send("POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Ty")
            let started = ContinuousClock.now
            #expect(await connection.readUntilClosed(within: .seconds(5)) != nil)
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }

    @Test("an idle keep-alive connection is closed after the idle timeout")
    func idleKeepAlive() async throws {
        try await Self.withServer(ServerLimits(idleTimeout: .milliseconds(400))) { port in
            let connection = try RawConnection(port: port)
            try await connection.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = try #require(await connection.readUntilClosed(within: .seconds(5)))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("a body that does not arrive in full within the body timeout gets its connection closed")
    func slowBody() async throws {
        try await Self.withServer(ServerLimits(bodyTimeout: .milliseconds(400))) { port in
            let connection = try RawConnection(port: port)
            try await connection.send(
                "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n" + Self.signatureHeader + "\r\n{\"obj")
            let started = ContinuousClock.now
            #expect(await connection.readUntilClosed(within: .seconds(5)) != nil)
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }

    @Test("an unsigned body is refused with 401 before it is read")
    func unsignedBeforeBody() async throws {
        try await Self.withServer(ServerLimits()) { port in
            let connection = try RawConnection(port: port)
            // Declares a megabyte and sends none of it: the answer must not wait for it.
            try await connection.send("POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
            let answer = try #require(await connection.readResponseHead(within: .seconds(3)))
            #expect(answer.hasPrefix("HTTP/1.1 401"))
        }
    }

    @Test("past the body memory budget a delivery gets 503 before its body is read")
    func bodyMemoryBudget() async throws {
        let limits = ServerLimits(bodyMemoryBytes: 2 * 1024 * 1024)
        try await Self.withServer(limits, maxBodyBytes: 1024 * 1024) { port in
            let head =
                "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n" + Self.signatureHeader + "\r\n"
            // Four slow bodies of a megabyte each against a budget of two: whatever order they reach
            // the handler in, two hold the budget and the others are refused at once.
            let slow = try (0..<4).map { _ in try RawConnection(port: port) }
            for connection in slow { try await connection.send(head + "{") }
            // Read all four at once, so that a refusal answered late (a loaded machine) is still
            // seen while the holders' reads wait out the window.
            let refused = await withTaskGroup(of: String?.self) { group in
                for connection in slow { group.addTask { await connection.readResponseHead(within: .seconds(5)) } }
                var answers: [String] = []
                for await answer in group { if let answer { answers.append(answer) } }
                return answers
            }
            #expect(refused.count == 2)
            for answer in refused {
                #expect(answer.hasPrefix("HTTP/1.1 503"))
                #expect(answer.lowercased().contains("retry-after: 1"))
            }
            let holders = slow
            // Once the holders go away, the budget is free again: the server sees the closes a
            // moment later (longer on a loaded machine), so a 503 meanwhile is retried, as Meta would.
            for holder in holders { holder.close() }
            var signedWrong = ""
            for _ in 0..<25 {
                try await Task.sleep(for: .milliseconds(200))
                let fourth = try RawConnection(port: port)
                try await fourth.send(head + String(repeating: " ", count: 1_000_000))
                // No answer in time (a loaded machine) is tried again too.
                signedWrong = await fourth.readResponseHead(within: .seconds(5)) ?? ""
                if signedWrong.hasPrefix("HTTP/1.1 4") { break }
            }
            #expect(signedWrong.hasPrefix("HTTP/1.1 401"))
        }
    }

    @Test("connections past the maximum wait until one closes")
    func maximumConnections() async throws {
        try await Self.withServer(ServerLimits(idleTimeout: .seconds(10), maxConnections: 3)) { port in
            // NIO accepts a connection or so beyond the limit before it stops reading the listening
            // socket, so count answered ones until one waits.
            var open: [RawConnection] = []
            var waiting: RawConnection?
            for _ in 0..<4 {
                let connection = try RawConnection(port: port)
                try await connection.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                if await connection.readResponseHead(within: .milliseconds(700)) == nil {
                    waiting = connection
                    break
                }
                open.append(connection)
            }
            let queued = try #require(waiting, "every connection was accepted")
            #expect(open.count <= 3)
            open.first?.close()
            // Generous: on a loaded 2-core machine the freed slot can take seconds to be taken up.
            #expect(await queued.readResponseHead(within: .seconds(10))?.hasPrefix("HTTP/1.1 200") == true)
        }
    }

    @Test("open connections are counted for /metrics as they open and close")
    func openConnectionsMetric() async throws {
        try await Self.withServer(ServerLimits(idleTimeout: .seconds(10), maxConnections: 16)) { port in
            func openConnections() async throws -> Double? {
                let scraper = try RawConnection(port: port)
                try await scraper.send(
                    "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(ServerFixture.apiToken)\r\n"
                        + "Connection: close\r\n\r\n")
                let response = try #require(await scraper.readUntilClosed(within: .seconds(15)))
                let line = response.split(separator: "\n").first { $0.hasPrefix("wameter_http_connections_open ") }
                return line.flatMap { Double($0.split(separator: " ")[1]) }
            }
            var open: [RawConnection] = []
            for _ in 0..<3 {
                let connection = try RawConnection(port: port)
                try await connection.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(await connection.readResponseHead(within: .seconds(15)) != nil)
                open.append(connection)
            }
            // The three kept alive, and the scraper's own.
            #expect(try await openConnections() == 4)
            for connection in open { connection.close() }
            // Closing is seen by the server a moment later.
            var after: Double?
            for _ in 0..<50 {
                after = try await openConnections()
                if after == 1 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(after == 1)
        }
    }
}

/// A blocking TCP client on loopback, for tests that must send partial requests.
final class RawConnection: @unchecked Sendable {
    private var socketFD: Int32
    private var received = Data()

    init(port: Int) throws {
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close() }

    func send(_ text: String) async throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if sent > 0 {
                offset += sent
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try await Task.sleep(for: .milliseconds(5))
            } else {
                throw POSIXError(.EPIPE)
            }
        }
    }

    /// Reads until the peer closes; returns what was read, or `nil` if it was still open at the end.
    /// Waits by sleeping, never by blocking a thread of the concurrency pool that the server under
    /// test needs too.
    func readUntilClosed(within limit: Duration) async -> String? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            switch readSome() {
            case .closed: return String(decoding: received, as: UTF8.self)
            case .data: continue
            case .timedOut: try? await Task.sleep(for: .milliseconds(10))
            }
        }
        return nil
    }

    /// Reads until a response head is complete; `nil` if none came in time.
    func readResponseHead(within limit: Duration) async -> String? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let end = received.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<end.upperBound], as: UTF8.self)
                received.removeSubrange(..<end.upperBound)
                return head
            }
            switch readSome() {
            case .closed: return nil
            case .data: continue
            case .timedOut: try? await Task.sleep(for: .milliseconds(10))
            }
        }
        return nil
    }

    private enum ReadResult { case data, closed, timedOut }

    private func readSome() -> ReadResult {
        guard socketFD >= 0 else { return .closed }
        var poller = pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return .timedOut }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = recv(socketFD, &buffer, buffer.count, 0)
        if count <= 0 { return .closed }
        received.append(contentsOf: buffer[..<count])
        return .data
    }

    func close() {
        if socketFD >= 0 {
            _ = Glibc.close(socketFD)
            socketFD = -1
        }
    }
}
