import Foundation
import TestSupport
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
        let url = TestFiles.path("lines", extension: "txt")
        try Data(text.utf8).write(to: url)
        let reader = LineReader(handle: try FileHandle(forReadingFrom: url), chunkSize: chunkSize)
        var read: [String] = []
        var consumed: [Int] = []
        while let line = try reader.next() {
            read.append(String(decoding: line, as: UTF8.self))
            consumed.append(reader.bytesConsumed)
        }
        #expect(read == lines)
        #expect(reader.lineNumber == 5)
        // How far through the file each line ends (endings included), for ingest's percentage.
        #expect(consumed == [6, 7, 58, 64, 68])
        #expect(consumed.last == text.utf8.count)
    }
}
