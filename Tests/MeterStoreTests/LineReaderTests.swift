import Foundation
import Testing

@testable import MeterStore

@Suite("Line reader")
struct LineReaderTests {
    @Test(
        "lines across chunk boundaries, longer than the buffer, CRLF, empty, and no final newline",
        arguments: [1, 3, 8, 1 << 20])
    func lines(chunkSize: Int) throws {
        let lines = ["first", "", "a line much longer than the tiny buffers used here", "crlf", "last"]
        let text = lines[0] + "\n\n" + lines[2] + "\n" + lines[3] + "\r\n" + lines[4]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(UUID().uuidString).txt")
        try Data(text.utf8).write(to: url)
        let reader = LineReader(handle: try FileHandle(forReadingFrom: url), chunkSize: chunkSize)
        var read: [String] = []
        while let line = try reader.next() { read.append(String(decoding: line, as: UTF8.self)) }
        #expect(read == lines)
        #expect(reader.lineNumber == 5)
    }
}
